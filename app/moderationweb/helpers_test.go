package moderationweb

import (
	"context"
	"testing"
	"time"
)

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-02-01T00:00:00Z": time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		"72h":                  now.Add(72 * time.Hour),
		"7d":                   now.AddDate(0, 0, 7),
	} {
		if got, err := parseUntil(context.Background(), in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0d", "3651d", "-1h", "soon"} {
		if _, err := parseUntil(context.Background(), bad, now); err == nil {
			t.Errorf("parseUntil(%q) accepted", bad)
		}
	}
}

func TestCSVSafeDisarmsFormulas(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "@x": "'@x", "-2": "'-2", "spam": "spam", "": ""} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
