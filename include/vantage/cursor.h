/*
 * The one way to read untrusted bytes (packets, banners, files).
 *
 * A cursor is a window [p, p+len) with a read offset and a sticky error
 * flag. Every getter checks the remaining length first; a read past the
 * end sets `err`, returns 0 (or NULL) and leaves the cursor at its end, so
 * a parser may run a sequence of reads and test cur_ok() once. Modelled on
 * tcpdump's GET_U_1/GET_BE_U_2 and nd_push_snaplen: cur_sub() carves a
 * child cursor clamped to a declared length, so a length field can never
 * let a child parser read its parent's bytes.
 *
 * The cursor borrows the bytes; they must outlive it.
 */
#ifndef VANTAGE_CURSOR_H
#define VANTAGE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct vt_cur {
	const uint8_t *p; /* borrowed, first byte of the window */
	size_t len;       /* window length in bytes */
	size_t off;       /* next byte to read, 0..len */
	int err;          /* sticky: set by any read past the end */
} vt_cur;

static inline void cur_init(vt_cur *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = p ? len : 0;
	c->off = 0;
	c->err = 0;
}

static inline size_t cur_left(const vt_cur *c) { return c->len - c->off; }
static inline int cur_ok(const vt_cur *c) { return !c->err; }
static inline const uint8_t *cur_ptr(const vt_cur *c) { return c->p + c->off; }

/* Marks the cursor failed and exhausted. */
static inline void cur_fail(vt_cur *c)
{
	c->err = 1;
	c->off = c->len;
}

static inline int cur_need(vt_cur *c, size_t n)
{
	if (c->err || n > c->len - c->off) {
		cur_fail(c);
		return 0;
	}
	return 1;
}

static inline uint8_t cur_u8(vt_cur *c)
{
	if (!cur_need(c, 1))
		return 0;
	return c->p[c->off++];
}

static inline uint16_t cur_be16(vt_cur *c)
{
	if (!cur_need(c, 2))
		return 0;
	const uint8_t *b = c->p + c->off;
	c->off += 2;
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint16_t cur_le16(vt_cur *c)
{
	if (!cur_need(c, 2))
		return 0;
	const uint8_t *b = c->p + c->off;
	c->off += 2;
	return (uint16_t)((b[1] << 8) | b[0]);
}

static inline uint32_t cur_be32(vt_cur *c)
{
	if (!cur_need(c, 4))
		return 0;
	const uint8_t *b = c->p + c->off;
	c->off += 4;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	       ((uint32_t)b[2] << 8) | b[3];
}

static inline uint32_t cur_le32(vt_cur *c)
{
	if (!cur_need(c, 4))
		return 0;
	const uint8_t *b = c->p + c->off;
	c->off += 4;
	return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[1] << 8) | b[0];
}

/* Returns a pointer to the next n bytes and advances, or NULL on overrun. */
static inline const uint8_t *cur_bytes(vt_cur *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	const uint8_t *b = c->p + c->off;
	c->off += n;
	return b;
}

/* Copies n bytes into dst; on overrun dst is zeroed and 0 returned. */
static inline int cur_copy(vt_cur *c, void *dst, size_t n)
{
	const uint8_t *b = cur_bytes(c, n);
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = b ? b[i] : 0;
	return b != NULL;
}

static inline int cur_skip(vt_cur *c, size_t n) { return cur_bytes(c, n) != NULL; }

/* Peeks at the byte `at` positions ahead without advancing; 0 if absent. */
static inline uint8_t cur_peek(const vt_cur *c, size_t at)
{
	if (c->err || at >= c->len - c->off)
		return 0;
	return c->p[c->off + at];
}

/*
 * Child cursor over the next n bytes; the parent advances past them. If
 * fewer than n remain, the child gets what is there and the parent's err
 * is set (the caller decides whether that is TRUNCATED).
 */
static inline vt_cur cur_sub(vt_cur *c, size_t n)
{
	vt_cur s;
	size_t left = cur_left(c);
	if (c->err)
		left = 0;
	if (n > left) {
		cur_init(&s, c->p + c->off, left);
		cur_fail(c);
		return s;
	}
	cur_init(&s, c->p + c->off, n);
	c->off += n;
	return s;
}

/* The rest of the window as a child cursor; the parent is exhausted. */
static inline vt_cur cur_rest(vt_cur *c) { return cur_sub(c, cur_left(c)); }

#endif
