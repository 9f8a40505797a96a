package client

import "embed"

// FS holds the runtime: sheen.js, the modules it imports, and sheen.css.
// Test files (*.test.mjs) are not included.
//
//go:embed *.js *.css
var FS embed.FS
