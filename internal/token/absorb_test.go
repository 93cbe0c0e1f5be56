package token

import (
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The lifetime igctl reports (Expiry - ObtainedAt) is the issuer's
// expires_in, even when this process read its clock well after x/oauth2
// counted Expiry from receipt (a busy machine): "tokens live 4m59s" for a
// 5-minute token was a wrong answer.
func TestAbsorbKeepsTheIssuersLifetime(t *testing.T) {
	now := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	tok := &oauth2.Token{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 300,
		Expiry: now.Add(300*time.Second - 700*time.Millisecond)} // received 0.7 s before now
	var b Bundle
	b.absorb(tok, now)
	if got := b.Expiry.Sub(b.ObtainedAt); got != 300*time.Second {
		t.Fatalf("lifetime %s, want 5m0s", got)
	}
	// without expires_in (Expiry from elsewhere) the local reading stands
	var c Bundle
	c.absorb(&oauth2.Token{AccessToken: "a", Expiry: now.Add(time.Minute)}, now)
	if !c.ObtainedAt.Equal(now) {
		t.Fatalf("ObtainedAt %s, want %s", c.ObtainedAt, now)
	}
}
