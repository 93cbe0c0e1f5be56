//go:build linux

package execcmd

import "syscall"

// childAttr asks the kernel to send the command SIGTERM when igctl dies,
// however it dies (SIGKILL included): a command left running would talk
// to a proxy that is gone. The signal follows the thread that started the
// command, so runChild keeps that thread until the command ends.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
