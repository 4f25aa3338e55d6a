package copilot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mutual/i18n"
)

// modelTimeout bounds a call to the brand's model: past it the agent gets
// the quoted draft rather than waiting.
const modelTimeout = 20 * time.Second

// Draft is a reply for the agent to edit before posting: worded by the
// brand's model from the sources, or quoting them. Fallback says why the
// model's draft is not used when one is set up.
type Draft struct {
	Text     string
	ByModel  bool
	Fallback string
}

// Draft drafts a reply to q from srcs: through the brand's model when one
// is set up and its draft cites only the passages given, else by quoting
// the passages with links to their threads.
func (s *Service) Draft(ctx context.Context, q Question, srcs []Source) (Draft, error) {
	quoted := Quote(ctx, srcs)
	if len(srcs) == 0 {
		return quoted, nil
	}
	set, err := s.Settings(ctx, q.BrandID)
	if err != nil || !set.On() {
		return quoted, err
	}
	text, err := s.askModel(ctx, set, q, srcs)
	if err != nil {
		var f modelFailure
		if !errors.As(err, &f) {
			f = modelFailure{key: "copilot.model_unreachable"}
		}
		quoted.Fallback = i18n.T(ctx, f.key, "Detail", f.detail)
		return quoted, nil
	}
	return Draft{Text: text + references(srcs), ByModel: true}, nil
}

// Quote is the offline draft: each source's passage quoted, with a link to
// the thread it comes from, in the reader's language.
func Quote(ctx context.Context, srcs []Source) Draft {
	if len(srcs) == 0 {
		return Draft{}
	}
	var b strings.Builder
	b.WriteString(i18n.T(ctx, "copilot.draft_intro"))
	for _, s := range srcs {
		b.WriteString("\n\n> " + strings.ReplaceAll(s.Passage, "\n", "\n> ") + "\n\n")
		b.WriteString(i18n.T(ctx, "copilot.draft_from", "Link", "["+escapeLink(s.Title)+"]("+s.URL()+")"))
	}
	return Draft{Text: b.String()}
}

// references are Markdown link definitions, so the model's [1] and [2]
// become links to the sources' threads.
func references(srcs []Source) string {
	var b strings.Builder
	b.WriteString("\n")
	for i, s := range srcs {
		fmt.Fprintf(&b, "\n[%d]: %s %q", i+1, s.URL(), s.Title)
	}
	return b.String()
}

func escapeLink(title string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`).Replace(title)
}

// modelFailure is why a model's draft was not used: a catalogue key and a
// technical detail (a status code, a citation).
type modelFailure struct{ key, detail string }

func (f modelFailure) Error() string { return f.key + " " + f.detail }

var citation = regexp.MustCompile(`\[(\d+)\]`)

// askModel asks an OpenAI-compatible chat-completions endpoint to answer q
// from the numbered passages only, and checks that its draft cites at
// least one of them and nothing else.
func (s *Service) askModel(ctx context.Context, set Settings, q Question, srcs []Source) (string, error) {
	body, _ := json.Marshal(chatRequest{Model: set.Model, Temperature: 0.2, Messages: []chatMessage{
		{Role: "system", Content: systemPrompt(q.Language)},
		{Role: "user", Content: userPrompt(q, srcs)},
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, set.Endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if set.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+set.APIKey)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", modelFailure{key: "copilot.model_unreachable"}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", modelFailure{key: "copilot.model_status", detail: strconv.Itoa(resp.StatusCode)}
	}
	var out chatResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || len(out.Choices) == 0 {
		return "", modelFailure{key: "copilot.model_garbled"}
	}
	text := strings.TrimSpace(out.Choices[0].Message.Content)
	return text, checkCitations(text, len(srcs))
}

// checkCitations refuses a draft that cites no passage, or one it was not
// given: a draft must rest on the sources shown to the agent.
func checkCitations(text string, n int) error {
	cited := citation.FindAllStringSubmatch(text, -1)
	if len(cited) == 0 {
		return modelFailure{key: "copilot.model_uncited"}
	}
	for _, c := range cited {
		if k, _ := strconv.Atoi(c[1]); k < 1 || k > n {
			return modelFailure{key: "copilot.model_miscited", detail: c[0]}
		}
	}
	return nil
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
}

// systemPrompt is the model's instruction. It is for the model, not a
// person, so it is not in the catalogue; the reply's language is.
func systemPrompt(language string) string {
	if language == "" || language == "und" {
		language = "the question's language"
	}
	return "You draft a reply for a support agent of a customer community. Answer the member's " +
		"question using ONLY the numbered passages given; do not add facts they do not contain. " +
		"Cite each passage you use as [n]. If the passages do not answer the question, say so briefly. " +
		"Write in " + language + ", plainly, in a few sentences, in Markdown."
}

func userPrompt(q Question, srcs []Source) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Question: %s\n\n%s\n\nPassages:\n", q.Title, q.Body)
	for i, s := range srcs {
		fmt.Fprintf(&b, "[%d] (from %q) %s\n", i+1, s.Title, s.Passage)
	}
	return b.String()
}
