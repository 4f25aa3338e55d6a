// Package e2e holds the end-to-end tests: user journeys driven in a real
// headless Chromium against the real server, started in-process on a
// loopback port with a temporary data directory. It has no code of its own.
package e2e
