'use strict';
// layout.test.js - the module boundaries: scripts/check-layout.js passes on
// the repository, and fails, naming the file, the line and the rule, on
// small trees that break each rule (a handler including an SMPP header, the
// menu engine including a handler, a campaign file touching table mt, a
// reach into another module's private header, skillctl's verbs included by
// the daemon, the frame's config.h pulling in SMPP).

const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-layout.js');

function check(root) {
	const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8', timeout: 30000 });
	return { code: r.status, out: r.stdout + r.stderr };
}

/** A tree of files {path: text} in a temporary directory. */
function tree(files) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skillgw-layout-'));
	for (const [p, text] of Object.entries(files)) {
		fs.mkdirSync(path.join(dir, path.dirname(p)), { recursive: true });
		fs.writeFileSync(path.join(dir, p), text);
	}
	return dir;
}

test('the repository keeps its module boundaries', () => {
	const r = check(ROOT);
	assert.equal(r.code, 0, r.out);
	assert.match(r.out, /module boundaries kept/);
});

test('each broken rule is reported with its file, line and rule', () => {
	const cases = [
		['handlers/sms/sms.c', '#include "gateway/smpp/pdu.h"\n',
			/handlers\/sms\/sms\.c:1: "gateway\/smpp\/pdu\.h": handlers\/sms may not use gateway\/smpp/],
		['gateway/ussd/menu_nav.c', '/* x */\n#include "handlers/ussd/screens.h"\n',
			/gateway\/ussd\/menu_nav\.c:2: .*gateway\/ussd may not use handlers\/ussd/],
		['handlers/notice/notice.c', 'static const char *q = "DELETE FROM mt WHERE id = 1";\n',
			/handlers\/notice\/notice\.c:1: SQL on table mt: only gateway\/queue touches it/],
		['handlers/ussd/info.c', '#include "../replies/hnd.h"\n',
			/handlers\/ussd\/info\.c:1: .*another module's private header/],
		['gateway/queue/router.c', '#include "gateway/ctl/ctl_data.h"\n',
			/gateway\/queue\/router\.c:1: .*skillctl's verbs are not included outside gateway\/ctl/],
		['include/gateway/config.h', '#include "gateway/smpp/dlr.h"\n',
			/include\/gateway\/config\.h:1: .*a public header of gateway may not use gateway\/smpp/],
		['handlers/domain/worker.c', '#include "gateway/queue/mtq.h"\n',
			/handlers\/domain may not use gateway\/queue/],
		['gateway/misc.d/x.c', '', /not inside a module folder/],
	];
	for (const [file, text, re] of cases) {
		const dir = tree({ 'gateway/main.c': '#include "gateway/config.h"\n', [file]: text });
		try {
			const r = check(dir);
			assert.equal(r.code, 1, `${file}: ${r.out}`);
			assert.match(r.out, re);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	// the same files, within the rules, pass
	const ok = tree({
		'gateway/main.c': '#include "gateway/smpp/link.h"\n#include "handlers/ussd/screens.h"\n',
		'handlers/sms/sms.c': '#include "gateway/queue/mtq.h"\n#include "handlers/replies/replies.h"\n',
		'gateway/queue/mtq.c': 'static const char *q = "DELETE FROM mt WHERE id = 1";\n',
		'handlers/ussd/info.c': '#include "screens_priv.h"\n#include "gateway/ussd/menu.h"\n',
	});
	try {
		const r = check(ok);
		assert.equal(r.code, 0, r.out);
	} finally {
		fs.rmSync(ok, { recursive: true, force: true });
	}
});
