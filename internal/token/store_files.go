package token

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/fault"
)

// fileBase names the per-profile files. Names are hashed so a profile name
// can never escape the directory.
type fileBase struct{ dir string }

func (f fileBase) name(profile, ext string) string {
	sum := sha256.Sum256([]byte(profile))
	return filepath.Join(f.dir, hex.EncodeToString(sum[:8])+ext)
}

func (f fileBase) mkdir() error { return os.MkdirAll(f.dir, 0o700) }

func (f fileBase) Lock(ctx context.Context, profile string) (func(), error) {
	if err := f.mkdir(); err != nil {
		return nil, damaged(profile, f.dir, err)
	}
	path := f.name(profile, ".lock")
	l := flock.New(path)
	ok, err := l.TryLockContext(ctx, 20*time.Millisecond)
	switch {
	case err == nil && ok:
		return func() { l.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, fault.New(LockTimeout, fmt.Errorf("gave up waiting for another igctl process that holds %s (refreshing profile %q): %w", path, profile, ctx.Err()),
			fault.Facts{Profile: profile, Path: path})
	}
	return nil, damaged(profile, path, fmt.Errorf("locking: %v", err))
}

func (fileBase) Probe(string) error { return nil }

func (f fileBase) Writable() error {
	err := f.mkdir()
	var tmp *os.File
	if err == nil {
		tmp, err = os.CreateTemp(f.dir, ".probe-*")
	}
	if err != nil {
		return fault.New(DirNotWritable, fmt.Errorf("the token directory %s is not writable: %v", f.dir, err), fault.Facts{Path: f.dir})
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

func (f fileBase) read(profile, ext string) ([]byte, error) {
	b, err := os.ReadFile(f.name(profile, ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, damaged(profile, f.name(profile, ext), err)
	}
	return b, nil
}

// damaged is a token file igctl cannot use: a configuration error naming
// the file, whose fix is a new login.
func damaged(profile, path string, err error) error {
	return fault.New(Damaged, fmt.Errorf("the token file of profile %q, %s, cannot be used: %v", profile, path, err),
		fault.Facts{Profile: profile, Path: path})
}

func (f fileBase) write(profile, ext string, data []byte) error {
	err := f.mkdir()
	if err == nil {
		err = atomicfile.Write(f.name(profile, ext), data, 0o600, false)
	}
	if err != nil {
		return fault.New(DirNotWritable, fmt.Errorf("writing the token of profile %q in %s: %w", profile, f.dir, err), fault.Facts{Profile: profile, Path: f.dir})
	}
	return nil
}

func (f fileBase) remove(profile, ext string) error {
	err := os.Remove(f.name(profile, ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// fileStore keeps the bundle as JSON in a 0600 file.
type fileStore struct{ fileBase }

func (*fileStore) Kind() string { return "file" }

func (s *fileStore) Load(profile string) (*Bundle, error) {
	data, err := s.read(profile, ".json")
	if err != nil {
		return nil, err
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, damaged(profile, s.name(profile, ".json"), fmt.Errorf("not a token bundle: %w", err))
	}
	return &b, nil
}

func (s *fileStore) Save(profile string, b *Bundle) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.write(profile, ".json", data)
}

func (s *fileStore) Delete(profile string) error { return s.remove(profile, ".json") }

// refreshFailure is the outcome of a refresh that failed, kept briefly
// beside the lock so that processes that waited for that refresh report it
// instead of each asking a failing identity provider again. It keeps what
// the failure was (its kind and facts), never an exit code or a hint: the
// process that reads it decides those as for its own failures.
type refreshFailure struct {
	At      time.Time   `json:"at"`
	Kind    fault.Kind  `json:"kind"`
	Facts   fault.Facts `json:"facts"`
	Message string      `json:"message"`
	// Token identifies the access token the refresh was meant to replace
	// (a hash, never the token).
	Token string `json:"token"`
}

func newRefreshFailure(at time.Time, err error, id string) refreshFailure {
	rf := refreshFailure{At: at, Message: err.Error(), Token: id}
	if e := fault.Of(err); e != nil {
		rf.Kind, rf.Facts = e.Kind, e.Facts
	}
	return rf
}

// err is the failure as this process reports it.
func (rf *refreshFailure) err() error {
	return fault.New(rf.Kind, &RecordedError{Message: rf.Message}, rf.Facts)
}

// RecordedError is the cause of a failure another igctl process recorded:
// only its message crossed over, so its typed causes (an x509 error, say)
// are gone and the message is all there is to read.
type RecordedError struct {
	Message string
}

func (e *RecordedError) Error() string {
	return e.Message + " (a refresh another igctl process just tried)"
}

func tokenID(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:8])
}

// failureSuffix names the refresh-failure marker. Older igctl releases kept
// an exit code in a ".fail" marker and read a marker without one as exit 0,
// so this marker has a name of its own and a ".fail" file is only removed.
const failureSuffix = ".refresh-failure"

func (f fileBase) recordFailure(profile string, rf refreshFailure) {
	if data, err := json.Marshal(rf); err == nil {
		f.write(profile, failureSuffix, data)
	}
}

func (f fileBase) lastFailure(profile string) *refreshFailure {
	data, err := os.ReadFile(f.name(profile, failureSuffix))
	if err != nil {
		return nil
	}
	// A marker that does not parse, or has no kind, is ignored: it only
	// ever saves a request.
	var rf refreshFailure
	if json.Unmarshal(data, &rf) != nil || rf.Kind == "" {
		return nil
	}
	return &rf
}

func (f fileBase) clearFailure(profile string) {
	f.remove(profile, failureSuffix)
	f.remove(profile, ".fail")
}

// failureMemo is what every store has through fileBase.
type failureMemo interface {
	recordFailure(profile string, rf refreshFailure)
	lastFailure(profile string) *refreshFailure
	clearFailure(profile string)
}
