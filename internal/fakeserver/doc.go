// Package fakeserver is what the fake model APIs of the tests
// (internal/fakeopenai, internal/fakeanthropic) share: an HTTP server on
// 127.0.0.1, the log of the requests it received with how each exchange
// ended, waiting for an exchange to end, pacing a reply that stops when
// the client goes away or the server closes, and picking the reply to a
// request. Each fake speaks its API's wire format itself.
package fakeserver
