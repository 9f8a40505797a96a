package sqlite

// WithMigrations replaces the package's migrations, to test how Open
// migrates a file written by an older version.
func WithMigrations(ms []string) Option { return func(o *options) { o.migrations = ms } }

// Migrations are the package's migrations.
var Migrations = migrations
