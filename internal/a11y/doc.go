// Package a11y checks the accessibility of a page in a browser test with
// axe-core, the rules engine most accessibility audits use.
//
// axe-core is an npm package installed into this directory by `make a11y`
// (part of `make test`'s dependencies) from the pinned package-lock.json;
// nothing is downloaded while tests run. [Check] injects it into a tab of
// internal/browsertest (through the DevTools protocol, so the page's
// Content-Security-Policy does not apply to it) and returns what it found.
package a11y
