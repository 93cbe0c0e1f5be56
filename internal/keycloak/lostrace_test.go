package keycloak

import (
	"errors"
	"fmt"
	"testing"
)

// The answers Keycloak gives a create that collided with a concurrent one
// are re-read and retried; any other 400 is a real refusal.
func TestLostRace(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&APIError{Status: 409, Message: "User exists with same username"}, true},
		{&APIError{Status: 400, Message: "Database operation failed"}, true},
		{&APIError{Status: 400, Message: "Could not create user"}, true},
		{fmt.Errorf("POST /users: %w", &APIError{Status: 400, Message: "Could not create user"}), true},
		{&APIError{Status: 400, Message: "Could not add user role or group mappings!"}, true},
		{&APIError{Status: 400, Message: "Password policy not met"}, false},
		{&APIError{Status: 500, Message: "Could not create user"}, false},
		{errors.New("Could not create user"), false},
	} {
		if got := lostRace(c.err); got != c.want {
			t.Errorf("lostRace(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
