//go:build unix && !linux

package execcmd

import "syscall"

// childAttr: only Linux has a parent-death signal.
func childAttr() *syscall.SysProcAttr { return nil }
