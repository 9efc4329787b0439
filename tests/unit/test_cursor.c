/* Unit tests: the bounds-checked cursor (util/cursor.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vantage/cursor.h"

static void reads_in_order(void **state)
{
	const uint8_t b[] = {1, 0x02, 0x03, 0xa0, 0xb0, 0xc0, 0xd0, 0x34, 0x12};
	vt_cur c;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_u8(&c), 1);
	assert_int_equal(cur_be16(&c), 0x0203);
	assert_int_equal(cur_be32(&c), 0xa0b0c0d0u);
	assert_int_equal(cur_le16(&c), 0x1234);
	assert_int_equal(cur_left(&c), 0);
	assert_true(cur_ok(&c));
}

static void overrun_is_sticky(void **state)
{
	const uint8_t b[] = {1, 2, 3};
	vt_cur c;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_be32(&c), 0);
	assert_false(cur_ok(&c));
	assert_int_equal(cur_left(&c), 0);
	/* Further reads keep failing even though bytes existed. */
	assert_int_equal(cur_u8(&c), 0);
	assert_null(cur_bytes(&c, 1));
}

static void sub_is_clamped(void **state)
{
	const uint8_t b[] = {9, 8, 7, 6, 5};
	vt_cur c, s;
	cur_init(&c, b, sizeof(b));
	cur_u8(&c);
	s = cur_sub(&c, 2);
	assert_int_equal(cur_left(&s), 2);
	assert_int_equal(cur_be16(&s), 0x0807);
	assert_int_equal(cur_u8(&s), 0); /* child cannot read the parent's */
	assert_false(cur_ok(&s));
	assert_true(cur_ok(&c));
	assert_int_equal(cur_u8(&c), 6);
	/* A declared length past the end: the child gets what is there. */
	s = cur_sub(&c, 10);
	assert_int_equal(cur_left(&s), 1);
	assert_false(cur_ok(&c));
}

static void skip_copy_peek(void **state)
{
	const uint8_t b[] = {1, 2, 3, 4};
	uint8_t out[3] = {0xff, 0xff, 0xff};
	vt_cur c;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_peek(&c, 3), 4);
	assert_int_equal(cur_peek(&c, 4), 0);
	assert_true(cur_skip(&c, 2));
	assert_false(cur_copy(&c, out, 3));
	assert_int_equal(out[0] | out[1] | out[2], 0);
}

static void null_window(void **state)
{
	vt_cur c;
	cur_init(&c, NULL, 100);
	assert_int_equal(cur_left(&c), 0);
	assert_int_equal(cur_u8(&c), 0);
	assert_false(cur_ok(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_in_order),
		cmocka_unit_test(overrun_is_sticky),
		cmocka_unit_test(sub_is_clamped),
		cmocka_unit_test(skip_copy_peek),
		cmocka_unit_test(null_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
