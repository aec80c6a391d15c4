'use strict';
// roster.js - what tests need to stand in for the bureau: today's date in
// China, resident IDs with their check character, and CSV files as the
// bureau's spreadsheets export them (UTF-8, a header row of Chinese names).

const fs = require('fs');
const path = require('path');

/** ISO date (China time, UTC+8) days from today (by the real clock, or at ms). */
function day(offset, ms = Date.now()) {
	return new Date(ms + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
}

/** A resident ID: 17 digits and the ISO 7064 MOD 11-2 check character. */
function residentId(first17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
	return first17 + '10X98765432'[sum % 11];
}

/** Write DIR/NAME with the header and rows (arrays of cells); returns its path. */
function csvFile(dir, name, header, rows) {
	const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
	const p = path.join(dir, name);
	fs.writeFileSync(p, [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n');
	return p;
}

module.exports = { day, residentId, csvFile };
