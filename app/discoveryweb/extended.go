package discoveryweb

import (
	"encoding/json"
	"errors"
)

// extended is the API's thread object with more fields after its own, as
// one flat JSON object. The thread's shape belongs to the forum's API, so
// discovery gets it as a value to marshal rather than a struct to embed.
type extended struct {
	thread any // a value that marshals to a JSON object
	more   any // a struct whose fields follow the thread's
}

func (e extended) MarshalJSON() ([]byte, error) {
	t, err := json.Marshal(e.thread)
	if err != nil {
		return nil, err
	}
	m, err := json.Marshal(e.more)
	if err != nil {
		return nil, err
	}
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' || len(m) < 2 || m[0] != '{' {
		return nil, errors.New("discoveryweb: a thread and its extra fields must be JSON objects")
	}
	switch {
	case len(m) == 2:
		return t, nil
	case len(t) == 2:
		return m, nil
	}
	out := append(t[:len(t)-1:len(t)-1], ',')
	return append(out, m[1:]...), nil
}
