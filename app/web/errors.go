package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/fault"
	"mutual/i18n"
	"mutual/migrations"
)

// Status is the one place errors become HTTP statuses, API codes and the
// message a person sees, in English. Internal errors get a plain message;
// the detail goes to the log with the request id.
func Status(err error) (int, string, string) { return StatusIn(i18n.From(context.Background()), err) }

// StatusIn is Status with the message in loc's language. A domain error's
// own message was worded for the request's reader when it was made.
func StatusIn(loc *i18n.Localizer, err error) (int, string, string) {
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		return http.StatusUnprocessableEntity, "invalid", ve.Error()
	}
	msg := ""
	var fe *fault.Error
	if errors.As(err, &fe) {
		msg = fe.Msg
		if fe.ID != "" {
			msg = loc.T(fe.ID)
		}
	}
	pick := func(def string) string {
		if msg != "" {
			return msg
		}
		return loc.T(def)
	}
	switch {
	case errors.Is(err, fault.ErrBadRequest):
		return http.StatusBadRequest, "bad_request", pick("error.bad_request")
	case errors.Is(err, fault.ErrNotFound):
		return http.StatusNotFound, "not_found", pick("error.not_found")
	case errors.Is(err, fault.ErrBadCredentials):
		return http.StatusUnauthorized, "bad_credentials", loc.T("error.bad_credentials")
	case errors.Is(err, fault.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated", pick("error.unauthenticated")
	case errors.Is(err, fault.ErrForbidden):
		return http.StatusForbidden, "forbidden", pick("error.forbidden")
	case errors.Is(err, fault.ErrConflict):
		return http.StatusConflict, "conflict", pick("error.conflict")
	case errors.Is(err, fault.ErrRateLimited):
		return http.StatusTooManyRequests, "rate_limited", pick("error.rate_limited")
	case errors.Is(err, migrations.ErrUnknownSchema):
		return http.StatusServiceUnavailable, "unavailable", loc.T("error.unavailable")
	}
	return http.StatusInternalServerError, "internal", loc.T("error.internal")
}

// Fail answers with the error as a page or as API JSON (a validation error
// with its fields, so programs can show them).
func (s *Site) Fail(c *gin.Context, err error) {
	if ClientGone(c) {
		// Nobody is left to read an answer, and nothing went wrong here:
		// the request log records it as 499 at INFO, with the error.
		c.Set(keyGoneErr, err.Error())
		c.AbortWithStatus(StatusClientClosed)
		return
	}
	s.answer(c, err)
}

// answer writes the error's status and message, logging server errors.
func (s *Site) answer(c *gin.Context, err error) {
	loc := LocalizerOf(c)
	code, apiCode, msg := StatusIn(loc, err)
	var rl *fault.RateLimitError
	if errors.As(err, &rl) {
		c.Header("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
	}
	if code >= 500 {
		s.log.Error("request failed", "request_id", c.GetString(keyReqID), "path", s.logPath(c), "err", err)
	}
	var ve *fault.ValidationError
	switch {
	case IsAPI(c) && errors.As(err, &ve):
		writeJSONValidation(c, ve)
		return
	case IsAPI(c):
		JSONError(c, code, apiCode, msg)
		return
	}
	h := loc.T("heading." + strconv.Itoa(code))
	if h == "heading."+strconv.Itoa(code) {
		h = loc.T("heading.other_error")
	}
	s.Render(c, code, "error", h, struct{ Heading, Message string }{h, msg})
}

// StatusClientClosed is the status logged for a request whose client went
// away before its answer was ready (nginx's 499).
const StatusClientClosed = 499

// ClientGone reports whether the client closed the connection (or gave up)
// while the request was being handled. What failed after that failed
// because the request's context was cancelled, not because of a fault here.
func ClientGone(c *gin.Context) bool {
	return errors.Is(c.Request.Context().Err(), context.Canceled)
}

func JSONError(c *gin.Context, code int, apiCode, msg string) {
	c.JSON(code, gin.H{"error": gin.H{"code": apiCode, "message": msg}})
}

// writeJSONValidation sends field errors too, so programs can show them.
func writeJSONValidation(c *gin.Context, ve *fault.ValidationError) {
	c.JSON(http.StatusUnprocessableEntity, gin.H{"error": gin.H{"code": "invalid", "message": ve.Error(), "fields": ve.Fields}})
}
