package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// One lifecycle for every command: the first SIGINT (Ctrl-C) or SIGTERM
// cancels the context the root command runs on, so every network call,
// lock wait and wait for a browser or device ends, the command returns
// through its own clean-up (temporary files removed, locks released,
// nothing half-written), and Main prints one line and exits with the
// code of cmdutil.InterruptedCode.
//
// A command that does not return within stopGrace of the signal (one
// stuck in something that cannot be cancelled, such as reading a
// terminal or a keyring that does not answer), or a second signal, ends
// the process at once: the terminal is restored and the same line says
// that igctl did not wait for the command.
//
// proxy and exec (cmdutil.NoCommandDeadline) handle signals themselves:
// proxy drains on the first signal, exec passes signals to its child and
// returns the child's status. They take the signals over before they run
// (handOver), and the process then reacts to a signal as it did before
// either existed until they listen.

// stopGrace is how long a cancelled command has to return by itself; the
// process ends within a second of the signal either way.
const stopGrace = 800 * time.Millisecond

// interrupted is the cause of the root context's cancellation.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string {
	name := "SIGINT"
	if e.sig == syscall.SIGTERM {
		name = "SIGTERM"
	}
	return "cancelled by " + name
}

func (e *interrupted) code() exitcode.Code { return cmdutil.InterruptedCode() }

// lifecycle watches for the signals of one igctl process.
type lifecycle struct {
	io     *iostreams.IOStreams
	exit   func(int)
	cancel context.CancelCauseFunc
	sigs   chan os.Signal
	quit   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	reported bool // Main or the forced stop has printed the outcome
}

type lifecycleKey struct{}

// watchSignals returns a context that the first SIGINT or SIGTERM cancels,
// with the lifecycle that watches for them; stop ends the watch.
func watchSignals(parent context.Context, io *iostreams.IOStreams, exit func(int)) (context.Context, *lifecycle) {
	ctx, cancel := context.WithCancelCause(parent)
	l := &lifecycle{io: io, exit: exit, cancel: cancel, sigs: make(chan os.Signal, 2), quit: make(chan struct{})}
	signal.Notify(l.sigs, os.Interrupt, syscall.SIGTERM)
	go l.watch()
	return context.WithValue(ctx, lifecycleKey{}, l), l
}

func (l *lifecycle) watch() {
	var first *interrupted
	var grace <-chan time.Time
	for {
		select {
		case sig := <-l.sigs:
			if first == nil {
				first = &interrupted{sig: sig}
				l.cancel(first)
				t := time.NewTimer(stopGrace)
				defer t.Stop()
				grace = t.C
				continue
			}
			l.forceStop(first)
		case <-grace:
			l.forceStop(first)
		case <-l.quit:
			return
		}
	}
}

// forceStop ends the process for a command that did not return in time,
// unless Main has already reported its outcome.
func (l *lifecycle) forceStop(cause *interrupted) {
	l.mu.Lock()
	defer l.mu.Unlock() // only reached when exit returns (tests)
	if l.reported {
		return
	}
	l.reported = true
	l.io.RestoreTerminal()
	l.io.Error(cause.Error() + "; igctl stopped without waiting for the command to finish")
	l.exit(int(cause.code()))
}

// stop ends the watch; signals get their default action again.
func (l *lifecycle) stop() {
	l.once.Do(func() {
		signal.Stop(l.sigs)
		close(l.quit)
	})
}

// report runs print unless a forced stop has already printed the outcome.
func (l *lifecycle) report(print func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.reported {
		l.reported = true
		print()
	}
}

// handOver gives the signals to a command that handles them itself. It
// returns the interruption when a signal came first.
func handOver(ctx context.Context) error {
	l, _ := ctx.Value(lifecycleKey{}).(*lifecycle)
	if l == nil {
		return nil
	}
	l.stop()
	return interruption(ctx)
}

// interruption is the signal that cancelled ctx, or nil.
func interruption(ctx context.Context) error {
	if in, ok := context.Cause(ctx).(*interrupted); ok {
		return in
	}
	return nil
}
