// Package logerr logs the errors of application code the same way wherever
// sheen runs it: a recovered panic with its value and the stack where it
// happened, any other error as an error.
package logerr

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/reactive"
)

// Log logs err at error level. what names the work that failed, such as
// "sheen: rendering an output"; the message is what followed by "panicked"
// for a [reactive.PanicError] (with the panic value and the stack as fields)
// and by "failed" for any other error (with the error as a field).
func Log(log *zap.Logger, what string, err error, fields ...zap.Field) {
	var pe *reactive.PanicError
	if errors.As(err, &pe) {
		log.Error(what+" panicked", append(fields, zap.String("panic", fmt.Sprint(pe.Value)), zap.ByteString("stack", pe.Stack))...)
		return
	}
	log.Error(what+" failed", append(fields, zap.Error(err))...)
}
