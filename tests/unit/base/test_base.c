// SPDX-License-Identifier: MIT
#include "test.h"
#include "base/list.h"

struct item {
	struct list_head node;
	int v;
};

static void test_err_ptr(void **state)
{
	void *p = ERR_PTR(-ENOMEM);

	assert_true(IS_ERR(p));
	assert_int_equal(PTR_ERR(p), -ENOMEM);
	assert_false(IS_ERR(&p));
	assert_true(IS_ERR_OR_NULL(NULL));
	assert_int_equal(PTR_ERR_OR_ZERO(&p), 0);
}

static void test_list_order(void **state)
{
	LIST_HEAD(head);
	struct item a = { .v = 1 }, b = { .v = 2 }, c = { .v = 3 }, *it;
	int expect = 1;

	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add_tail(&c.node, &head);
	list_for_each_entry(it, &head, node)
		assert_int_equal(it->v, expect++);
	list_del(&b.node);
	assert_int_equal(list_first_entry(&head, struct item, node)->v, 1);
	assert_int_equal(list_last_entry(&head, struct item, node)->v, 3);
	list_del(&a.node);
	list_del(&c.node);
	assert_true(list_empty(&head));
}

static void test_fault_nth(void **state)
{
	void *p;

	fault_inject_nth(2);
	p = pl_zalloc(8);
	assert_non_null(p);
	free(p);
	assert_null(pl_zalloc(8));
	assert_true(fault_injected());
	p = pl_zalloc(8);	/* only the nth call fails */
	assert_non_null(p);
	free(p);
	fault_inject_nth(0);
	assert_false(fault_injected());
}

static void test_genmask(void **state)
{
	assert_int_equal(GENMASK(7, 4), 0xf0);
	assert_int_equal(GENMASK(31, 0), 0xffffffffu);
	assert_true(GENMASK_ULL(63, 32) == 0xffffffff00000000ull);
	assert_true(is_power_of_2(4096));
	assert_false(is_power_of_2(0));
	assert_false(is_power_of_2(12));
	assert_int_equal(ALIGN_UP(0x1001u, 0x1000u), 0x2000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_ptr),
		cmocka_unit_test(test_list_order),
		cmocka_unit_test(test_fault_nth),
		cmocka_unit_test(test_genmask),
	};

	return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
