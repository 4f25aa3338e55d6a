package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The server holds its INFO lines back a moment (internal/logbuf); a clean
// shutdown still writes every one of them out, the last included.
func TestServeWritesItsWholeLogOutBeforeItExits(t *testing.T) {
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	saved := os.Stderr
	os.Stderr = stderr
	defer func() { os.Stderr = saved }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, toStdout := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--no-demo"}, toStdout, io.Discard)
		toStdout.Close()
	}()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "Mutual is running at ") {
		t.Fatalf("serve printed %q, want where it runs", lines.Text())
	}
	go io.Copy(io.Discard, stdout)
	url := strings.TrimPrefix(lines.Text(), "Mutual is running at ")
	resp, err := http.Get(url + "boards")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if c := <-code; c != 0 {
		t.Fatalf("serve exited %d", c)
	}
	log, err := os.ReadFile(stderr.Name())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"listening"`, `"path":"/boards"`, `"msg":"stopped"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
}
