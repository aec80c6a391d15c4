/*
 * import_keys.c - the natural keys one import has seen, with the line of
 * each, so that a key given twice in a file is reported with both lines
 * instead of the second row silently updating the first.
 *
 * An open-addressing hash table (FNV-1a, linear probing, grown at 3/4
 * load) of 16-byte slots pointing into an append-only arena of the keys.
 * A million resident IDs take about 50 MB, for the length of one import.
 */
#include <stdint.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "import_priv.h"

#define IMP_KEYS_INITIAL	1024		/* slots, a power of two */
#define IMP_ARENA_CHUNK		(1024 * 1024)	/* bytes */

struct imp_slot {
	uint32_t hash;		/* low bits of the hash, 0: empty slot */
	uint32_t line;
	const char *key;	/* in the arena */
};

struct imp_keys {
	struct imp_slot *slot;
	size_t cap, n;
	char *arena;		/* current chunk */
	size_t arena_left;
};

static uint32_t imp_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;		/* FNV-1a 64 */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 32;
	return (uint32_t)h ? (uint32_t)h : 1;
}

struct imp_keys *imp_keys_new(void *ctx)
{
	struct imp_keys *k = talloc_zero(ctx, struct imp_keys);

	if (!k)
		return NULL;
	k->cap = IMP_KEYS_INITIAL;
	k->slot = talloc_zero_array(k, struct imp_slot, k->cap);
	if (!k->slot) {
		talloc_free(k);
		return NULL;
	}
	return k;
}

static struct imp_slot *imp_keys_slot(const struct imp_keys *k,
				      const char *key, uint32_t h)
{
	size_t i = h & (k->cap - 1);

	while (k->slot[i].hash &&
	       (k->slot[i].hash != h || strcmp(k->slot[i].key, key)))
		i = (i + 1) & (k->cap - 1);
	return &k->slot[i];
}

static int imp_keys_grow(struct imp_keys *k)
{
	struct imp_slot *old = k->slot;
	size_t i, old_cap = k->cap;

	k->slot = talloc_zero_array(k, struct imp_slot, 2 * old_cap);
	if (!k->slot) {
		k->slot = old;
		return -1;
	}
	k->cap = 2 * old_cap;
	for (i = 0; i < old_cap; i++)
		if (old[i].hash)
			*imp_keys_slot(k, old[i].key, old[i].hash) = old[i];
	talloc_free(old);
	return 0;
}

static const char *imp_keys_store(struct imp_keys *k, const char *key)
{
	size_t len = strlen(key) + 1;
	char *p;

	if (len > k->arena_left) {
		size_t sz = len > IMP_ARENA_CHUNK ? len : IMP_ARENA_CHUNK;

		k->arena = talloc_size(k, sz);
		if (!k->arena)
			return NULL;
		k->arena_left = sz;
	}
	p = k->arena;
	memcpy(p, key, len);
	k->arena += len;
	k->arena_left -= len;
	return p;
}

unsigned imp_keys_add(struct imp_keys *k, const char *key, unsigned line)
{
	uint32_t h = imp_hash(key);
	struct imp_slot *s;

	if (4 * (k->n + 1) > 3 * k->cap && imp_keys_grow(k))
		return 0;	/* out of memory: duplicates go unseen */
	s = imp_keys_slot(k, key, h);
	if (s->hash)
		return s->line;
	s->key = imp_keys_store(k, key);
	if (!s->key)
		return 0;
	s->hash = h;
	s->line = line;
	k->n++;
	return 0;
}

unsigned imp_keys_line(const struct imp_keys *k, const char *key)
{
	const struct imp_slot *s = imp_keys_slot(k, key, imp_hash(key));

	return s->hash ? s->line : 0;
}
