package config

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofrs/flock"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/fault"
)

// LockTimeout is how long Save waits for another igctl to finish writing
// config.yaml before it gives up.
var LockTimeout = 10 * time.Second

// LockTimeoutError means another process held config.yaml's lock for longer
// than LockTimeout.
type LockTimeoutError struct {
	LockFile string
	Waited   time.Duration
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("config is locked: waited %s for the lock file %s", e.Waited, e.LockFile)
}

// lockFile takes the exclusive lock on path, waiting at most LockTimeout,
// or until ctx ends (its error is then returned).
// The lock file stays on disk (removing it would race with a process
// that is about to lock it); the lock itself ends with the process.
func lockFile(parent context.Context, path string) (unlock func(), err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(parent, LockTimeout)
	defer cancel()
	ok, err := l.TryLockContext(ctx, 5*time.Millisecond)
	if perr := parent.Err(); perr != nil && !ok {
		l.Close()
		return nil, fmt.Errorf("waiting for the lock on %s: %w", path, perr)
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		l.Close()
		return nil, fault.New(Unreadable, fmt.Errorf("locking config: %s: %w", path, err), fault.Facts{Path: path})
	}
	if !ok {
		l.Close()
		return nil, fault.New(Locked, &LockTimeoutError{LockFile: path, Waited: LockTimeout},
			fault.Facts{Path: path, Wait: LockTimeout})
	}
	return func() { l.Unlock() }, nil
}

// resolveLinks follows path through symlinks to the file to write, so
// that the atomic rename replaces the target and leaves the link in place.
// A dangling link resolves to the path it names, which Save then creates.
func resolveLinks(path string) (string, error) { return atomicfile.ResolveLinks(path) }
