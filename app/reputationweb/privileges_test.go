package reputationweb

import (
	"testing"

	"mutual/i18n"
	"mutual/reputation"
)

func TestHintFor(t *testing.T) {
	same := reputation.Privileges{Links: 100, Images: 100}
	apart := reputation.Privileges{Links: 100, Images: 1500}
	for _, tc := range []struct {
		rep  int64
		p    reputation.Privileges
		want string
	}{
		{0, same, "New members may post at most 2 links and 1 image until they have 100 reputation."},
		{0, apart, "New members may post at most 2 links until they have 100 reputation, and 1 image until they have 1,500."},
		{100, apart, "New members may post at most 1 image until they have 1,500 reputation."},
		{0, reputation.Privileges{Links: 10}, "New members may post at most 2 links until they have 10 reputation."},
		{1500, apart, ""},
	} {
		if got := hintFor(i18n.Base().For("en"), tc.rep, tc.p); got != tc.want {
			t.Errorf("hintFor(%d, %+v) = %q, want %q", tc.rep, tc.p, got, tc.want)
		}
	}
}

// The hint counts in the reader's language, with its plural forms and
// grouping.
func TestHintSpeaksTheReadersLanguage(t *testing.T) {
	p := reputation.Privileges{Links: 100, Images: 1500}
	if got, want := hintFor(i18n.Base().For("pl"), 0, p), "Nowi członkowie mogą wstawić najwyżej 2 linki, dopóki nie mają 100 punktów reputacji, i 1 obraz, dopóki nie mają 1\u00a0500."; got != want {
		t.Errorf("Polish hint = %q, want %q", got, want)
	}
	if got, want := hintFor(i18n.Base().For("es"), 100, p), "Los miembros nuevos pueden publicar como máximo 1 imagen hasta que tengan 1.500 de reputación."; got != want {
		t.Errorf("Spanish hint = %q, want %q", got, want)
	}
}

func TestPrivileges(t *testing.T) {
	got := privileges(i18n.Base().For("en"), 1000, reputation.Privileges{Links: 10, Images: 20, Trusted: 1000, EditOthers: 2000})
	has := []bool{true, true, true, false}
	if len(got) != len(has) {
		t.Fatalf("%d privileges, want %d", len(got), len(has))
	}
	for i, p := range got {
		if p.Has != has[i] {
			t.Errorf("%s: Has = %v, want %v", p.Name, p.Has, has[i])
		}
	}
	if got[3].At != "2,000" {
		t.Errorf("edit others at %q, want 2,000", got[3].At)
	}
}

func TestAPIConfigRoundTrip(t *testing.T) {
	cfg := reputation.Config{Rules: reputation.DefaultRules(), Privileges: reputation.Privileges{Links: 1, Images: 2, EditOthers: 3, Trusted: 4},
		Ranks: []reputation.Rank{{Name: "A", Min: 0}, {Name: "B", Min: 9}}}
	in := toAPIConfig(cfg)
	if in.Privileges.Trusted != 4 || in.Rules.KudosPoints != cfg.Rules.KudosPoints || len(in.Ranks) != 2 || in.Ranks[1].Min != 9 {
		t.Errorf("toAPIConfig = %+v", in)
	}
	if back := reputation.Rules(in.Rules); back != cfg.Rules {
		t.Errorf("rules round trip = %+v, want %+v", back, cfg.Rules)
	}
}
