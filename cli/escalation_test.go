package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestEscalationCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(cmd func(context.Context, []string, io.Writer) error, args ...string) (string, error) {
		var out bytes.Buffer
		err := cmd(context.Background(), append([]string{"--data", dir}, args...), &out)
		return out.String(), err
	}
	if _, err := run(userCreate, "--username", "amy", "--email", "amy@provider.test", "--password", "a-long-password-1"); err != nil {
		t.Fatal(err)
	}
	out, err := run(brandUpdate, "--host", "localhost", "--peer-sla", "5m", "--resolution-sla", "24h", "--business-hours", "Mon-Fri 08:00-20:00", "--timezone", "Europe/London")
	if err != nil || !strings.Contains(out, "peer SLA 5m0s, resolution SLA 24h0m0s") || !strings.Contains(out, "Mon-Fri 08:00-20:00 Europe/London") {
		t.Fatalf("brand update: %q %v", out, err)
	}
	for _, bad := range [][]string{{"--host", "localhost", "--peer-sla", "soon"}, {"--peer-sla", "5m"}, {"--host", "localhost", "--board-sla", "x"}} {
		if _, err := run(brandUpdate, bad...); !errors.Is(err, ErrUsage) {
			t.Errorf("brand update %v: %v, want a usage error", bad, err)
		}
	}
	if _, err := run(brandUpdate, "--host", "localhost", "--peer-sla", "1s"); err == nil || !strings.Contains(err.Error(), "between 1 minute") {
		t.Errorf("a 1s SLA: %v, want a validation error", err)
	}
	if _, err := run(brandUpdate, "--host", "nowhere.example", "--peer-sla", "5m"); err == nil || !strings.Contains(err.Error(), "no brand") {
		t.Errorf("unknown brand: %v", err)
	}
	out, err = run(agentAdd, "--username", "amy", "--brand", "localhost", "--on-shift")
	if err != nil || !strings.Contains(out, "amy is an agent of localhost (boards all, on shift)") {
		t.Fatalf("agent add: %q %v", out, err)
	}
	if _, err := run(agentAdd, "--username", "nobody", "--brand", "localhost"); err == nil {
		t.Error("agent add of a missing user succeeded")
	}
	if _, err := run(agentAdd, "--username", "amy", "--brand", "localhost", "--boards", "999"); err == nil || !strings.Contains(err.Error(), "not a board") {
		t.Errorf("agent add with a foreign board: %v", err)
	}
	out, err = run(replay, "--brand", "localhost", "--peer-sla", "15m")
	if err != nil || !strings.Contains(out, "peer SLA 15m0s: 0 threads; 0 would have escalated") {
		t.Fatalf("replay: %q %v", out, err)
	}
	if _, err := run(replay, "--brand", "localhost"); !errors.Is(err, ErrUsage) {
		t.Errorf("replay without --peer-sla: %v", err)
	}
}
