package runner

import "syscall"

const ioctlGetTermios = syscall.TCGETS
