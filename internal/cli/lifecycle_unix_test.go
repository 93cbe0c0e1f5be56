//go:build unix

package cli

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/iostreams"
)

// signalSelf sends sig to this test process, which watchSignals catches.
func signalSelf(t *testing.T, sig os.Signal) {
	t.Helper()
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// A command stuck in something that ignores its context (a terminal read,
// a keyring that does not answer) is ended within a second of the signal,
// with the one line and the signal's code.
func TestStuckCommandEndsWithinASecond(t *testing.T) {
	io, _, _, errOut := iostreams.Test()
	exited := make(chan int, 1)
	ctx, l := watchSignals(context.Background(), io, func(code int) { exited <- code })
	defer l.stop()
	start := time.Now()
	signalSelf(t, syscall.SIGTERM)
	<-ctx.Done()
	if _, ok := context.Cause(ctx).(*interrupted); !ok {
		t.Fatalf("cause %v, want the signal", context.Cause(ctx))
	}
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("ended %v after the signal", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the stuck command was not ended")
	}
	if got, want := errOut.String(), "error: cancelled by SIGTERM; igctl stopped without waiting for the command to finish\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// A command that returned in time is reported by Main alone: the forced
// stop neither prints a second line nor exits.
func TestReturnedCommandIsNotForced(t *testing.T) {
	io, _, _, errOut := iostreams.Test()
	exited := make(chan int, 1)
	ctx, l := watchSignals(context.Background(), io, func(code int) { exited <- code })
	defer l.stop()
	signalSelf(t, os.Interrupt)
	<-ctx.Done()
	l.report(func() { io.Error(interruption(ctx).Error()) })
	select {
	case code := <-exited:
		t.Fatalf("forced exit %d after Main reported", code)
	case <-time.After(stopGrace + 300*time.Millisecond):
	}
	if got, want := errOut.String(), "error: cancelled by SIGINT\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}
