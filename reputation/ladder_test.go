package reputation

import "testing"

func TestLadderName(t *testing.T) {
	l := Ladder{{"Rookie", 0}, {"Pro", 10}}
	for rep, want := range map[int64]string{-5: "Rookie", 0: "Rookie", 9: "Rookie", 10: "Pro", 1000: "Pro"} {
		if got := l.Name(rep); got != want {
			t.Errorf("Name(%d) = %q, want %q", rep, got, want)
		}
	}
	if got := Ladder(nil).Name(5); got != "" {
		t.Errorf("empty ladder names %q", got)
	}
}
