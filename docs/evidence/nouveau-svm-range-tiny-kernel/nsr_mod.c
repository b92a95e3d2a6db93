// SPDX-License-Identifier: MIT
#include <linux/module.h>
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("nouveau SVM range tracking and its KUnit suite, alone");
