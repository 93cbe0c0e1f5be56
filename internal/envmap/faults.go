package envmap

import "github.com/inference-gateway/igctl/internal/fault"

// The kinds of failure this package returns; internal/cli/cmdutil/exits.go
// gives each its exit code and hint.
const (
	// BadProduct: a product other than Gateway or ADK.
	BadProduct fault.Kind = "envmap/bad-product"
	// BadVersion: a target version that is not X.Y or X.Y.Z.
	BadVersion fault.Kind = "envmap/bad-version"
	// DuplicateKeys: keys set twice once translated, with no rule to pick one.
	DuplicateKeys fault.Kind = "envmap/duplicate-keys"
	// Unmapped: a strict translation met keys with no counterpart.
	Unmapped fault.Kind = "envmap/unmapped"
	// BadBoolean: a boolean whose meaning is not clear (*BoolError).
	BadBoolean fault.Kind = "envmap/bad-boolean"
	// NotUTF8: a value Kubernetes cannot hold as string data.
	NotUTF8 fault.Kind = "envmap/not-utf8"
	// BadValue: a value the gateway refuses (a duration without a unit,
	// say) or the operator's Gateway resource cannot take.
	BadValue fault.Kind = "envmap/bad-value"
	// FailClosedGuardrails: fail-closed guardrails, which the operator's
	// Gateway resource cannot keep.
	FailClosedGuardrails fault.Kind = "envmap/fail-closed-guardrails"
)
