package reactive

import (
	"reflect"
	"unsafe"

	"github.com/sheenhq/sheen/internal/goid"
)

// Value is a reactive value: reading it with [Value.Get] inside a calc or
// effect makes that calc or effect depend on it, and [Value.Set] invalidates
// everything that depends on it.
//
// A Value can be unset (see [Value.Unset]); reading an unset Value stops the
// reader silently, like Shiny's req().
type Value[T any] struct {
	g         *Graph
	val       T
	isSet     bool
	destroyed bool
	same      sameKind // how Set compares without calling equal, if it can
	// plain is isSet && !destroyed && same == sameWord: Set's usual case
	// is one test (see refresh).
	plain   bool
	equal   equaler[T] // nil: every set is a change
	deps    source     // readers of the value
	setDeps *source    // readers of IsSet; allocated by the first IsSet
}

// NewValue returns a Value of a comparable type holding v. Setting it to a
// value equal (==) to the current one changes nothing.
func NewValue[T comparable](g *Graph, v T) *Value[T] {
	x := &Value[T]{g: g, val: v, isSet: true, same: sameKindOf[T](), equal: newEqualer[T]()}
	x.refresh()
	return x
}

// NewUnsetValue returns an unset Value of a comparable type (py-shiny's
// reactive.value() with no value): reading it with [Value.Get] stops the
// reader silently until the first [Value.Set]; [Value.Lookup] reports it.
func NewUnsetValue[T comparable](g *Graph) *Value[T] {
	return &Value[T]{g: g, same: sameKindOf[T](), equal: newEqualer[T]()}
}

// sameKind says how Set tells an equal value of a NewValue without the
// equaler, whose call is most of a Set: by its bytes, for the types whose ==
// compares its bytes, or as a string.
type sameKind uint8

const (
	sameByEqual sameKind = iota
	sameWord             // 8 bytes
	sameByte             // 1 byte
	sameString
)

func sameKindOf[T comparable]() sameKind {
	t := reflect.TypeFor[T]()
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Pointer, reflect.UnsafePointer, reflect.Chan:
		switch t.Size() {
		case 8:
			return sameWord
		case 1:
			return sameByte
		}
	case reflect.String:
		return sameString
	}
	return sameByEqual
}

// refresh recomputes v.plain after a change of isSet or destroyed.
func (v *Value[T]) refresh() { v.plain = v.isSet && !v.destroyed && v.same == sameWord }

// unchanged reports whether x equals the value, which is set.
func (v *Value[T]) unchanged(x *T) bool {
	switch v.same {
	case sameWord:
		return *(*uint64)(unsafe.Pointer(&v.val)) == *(*uint64)(unsafe.Pointer(x))
	case sameByte:
		return *(*uint8)(unsafe.Pointer(&v.val)) == *(*uint8)(unsafe.Pointer(x))
	case sameString:
		return *(*string)(unsafe.Pointer(&v.val)) == *(*string)(unsafe.Pointer(x))
	}
	return v.equal != nil && v.equal.eq(v.val, *x)
}

// NewUnsetValueFunc is [NewUnsetValue] for any type, with sets compared as
// [NewValueFunc] compares them.
func NewUnsetValueFunc[T any](g *Graph, equal func(a, b T) bool) *Value[T] {
	v := NewValueFunc(g, *new(T), equal)
	v.isSet = false
	v.refresh()
	return v
}

// equalFunc returns == for T; for an interface type, whose dynamic values may
// not be comparable (== would panic), such values count as different.
func equalFunc[T comparable]() func(a, b T) bool {
	if reflect.TypeFor[T]().Kind() != reflect.Interface {
		return func(a, b T) bool { return a == b }
	}
	return func(a, b T) (eq bool) {
		defer func() {
			if recover() != nil {
				eq = false
			}
		}()
		return a == b
	}
}

// equaler compares a Value's old and new values. The implementations for ==
// are empty structs, so a NewValue allocates no closure for its comparison.
type equaler[T any] interface{ eq(a, b T) bool }

type eqOp[T comparable] struct{}

func (eqOp[T]) eq(a, b T) bool { return a == b }

// eqDynamic is == for an interface type T, whose dynamic values may not be
// comparable (== would panic): such values count as different.
type eqDynamic[T comparable] struct{}

func (eqDynamic[T]) eq(a, b T) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

type eqFunc[T any] func(a, b T) bool

func (f eqFunc[T]) eq(a, b T) bool { return f(a, b) }

// newEqualer returns == for T as an equaler, as equalFunc does as a func.
func newEqualer[T comparable]() equaler[T] {
	if reflect.TypeFor[T]().Kind() != reflect.Interface {
		return eqOp[T]{}
	}
	return eqDynamic[T]{}
}

// NewValueFunc returns a Value holding v whose sets are compared with equal;
// a nil equal makes every set a change.
func NewValueFunc[T any](g *Graph, v T, equal func(a, b T) bool) *Value[T] {
	var eq equaler[T]
	if equal != nil {
		eq = eqFunc[T](equal)
	}
	return &Value[T]{g: g, val: v, isSet: true, equal: eq}
}

// Get returns the value and, inside a calc or effect, makes it depend on the
// value. If the value is unset it stops the reader silently ([ErrSilent]);
// [Value.Lookup] reports it instead. From a goroutine that does not own the
// graph it waits for the running turn and reads without flushing (no pending
// effect or after-flush hook runs), and an unset value reads as the zero
// value; in a [Task] body it fails with [ErrReadInTask].
func (v *Value[T]) Get() T {
	me := goid.Current() // before any load: nothing to save across the call
	g := v.g
	if me != g.owner.Load() {
		var x T
		g.readOff(func() { x = v.Get() })
		return x
	}
	if cur := g.current; cur != nil {
		// source.register, written out (see there).
		if d, id := v.deps.deps, cur.id; len(d) < cap(d) && (len(d) == 0 || d[len(d)-1].id < id) {
			v.deps.deps = v.deps.deps[:len(d)+1] // only the length is stored
			d[:len(d)+1][len(d)] = edge{cur, id}
		} else {
			v.deps.registerSlow(cur, id)
		}
	}
	if !v.isSet {
		panic(ErrSilent)
	}
	return v.val
}

// Lookup returns the value and whether it is set, without stopping the
// reader: the non-panicking [Value.Get]. Inside a calc or effect it makes the
// reader depend on the value, as Get does (so it runs again when the value is
// set, changed or unset). From a goroutine that does not own the graph it
// reads as [Value.Get] does, without flushing.
func (v *Value[T]) Lookup() (T, bool) {
	g := v.g
	if !g.owned() {
		var x T
		var ok bool
		g.readOff(func() { x, ok = v.Lookup() })
		return x, ok
	}
	if g.current != nil {
		v.deps.register(g.current, g.current.id)
	}
	return v.val, v.isSet
}

// PeekLookup returns the value and whether it is set without making the
// reader depend on either: [Value.Peek] that tells an unset value from a zero
// one.
func (v *Value[T]) PeekLookup() (T, bool) {
	g := v.g
	if !g.owned() {
		var x T
		var ok bool
		g.readOff(func() { x, ok = v.PeekLookup() })
		return x, ok
	}
	return v.val, v.isSet
}

// Any returns [Value.Get] as an any; the method value v.Any is a [Trigger].
func (v *Value[T]) Any() any { return v.Get() }

// Peek returns the value without making the reader depend on it; the zero
// value if it is unset ([Value.PeekLookup] tells the two apart). From another
// goroutine it reads as [Value.Get] does, without flushing.
func (v *Value[T]) Peek() T {
	g := v.g
	if !g.owned() {
		var x T
		g.readOff(func() { x = v.Peek() })
		return x
	}
	if !v.isSet {
		var zero T
		return zero
	}
	return v.val
}

// Set stores x and invalidates the value's dependents, unless the value is set
// and equal to x. It reports whether it changed anything. Inside a turn it
// takes effect at once (the calcs that depend on it are invalid as soon as Set
// returns); from any other goroutine it runs as a [Graph.Do], so it returns
// after the flush it caused. Setting a destroyed value does nothing.
func (v *Value[T]) Set(x T) bool {
	me := goid.Current()
	g := v.g
	if me != g.owner.Load() {
		var changed bool
		g.Do(func() { changed = v.Set(x) })
		return changed
	}
	if v.plain { // the usual case, written out
		if *(*uint64)(unsafe.Pointer(&v.val)) == *(*uint64)(unsafe.Pointer(&x)) {
			return false
		}
		v.val = x
		g.invalidate(&v.deps)
		return true
	}
	if v.destroyed {
		return false
	}
	if v.isSet && v.unchanged(&x) {
		return false
	}
	v.val = x
	if !v.isSet {
		v.isSet = true
		v.refresh()
		g.invalidateSet(v.setDeps)
	}
	g.invalidate(&v.deps)
	return true
}

// Update sets the value to fn(current value) and reports whether it changed.
func (v *Value[T]) Update(fn func(T) T) bool {
	var changed bool
	v.g.Do(func() { changed = v.Set(fn(v.Peek())) })
	return changed
}

// Unset makes the value unset: readers of IsSet are invalidated first, then
// readers of the value. Unsetting an unset value does nothing.
func (v *Value[T]) Unset() {
	g := v.g
	if !g.owned() {
		g.Do(v.Unset)
		return
	}
	if v.destroyed || !v.isSet {
		return
	}
	var zero T
	v.val, v.isSet = zero, false
	v.refresh()
	g.invalidateSet(v.setDeps)
	g.invalidate(&v.deps)
}

// IsSet reports whether the value is set and, inside a calc or effect, makes
// it depend on the value's set-ness (not on the value). A destroyed value is
// not set and registers no dependency.
func (v *Value[T]) IsSet() bool {
	g := v.g
	if !g.owned() {
		var ok bool
		g.readOff(func() { ok = v.IsSet() })
		return ok
	}
	if v.destroyed {
		return false
	}
	if g.current != nil {
		if v.setDeps == nil {
			v.setDeps = new(source)
		}
		v.setDeps.register(g.current, g.current.id)
	}
	return v.isSet
}

// Freeze makes the value unset without invalidating anything, as Shiny's
// freeze(): readers that run later stop silently until the next Set.
func (v *Value[T]) Freeze() {
	g := v.g
	if !g.owned() {
		g.Do(v.Freeze)
		return
	}
	var zero T
	v.val, v.isSet = zero, false
	v.refresh()
}

// Destroy unsets the value for good and invalidates its dependents (value
// readers first, then IsSet readers). Later sets do nothing.
func (v *Value[T]) Destroy() {
	g := v.g
	if !g.owned() {
		g.Do(v.Destroy)
		return
	}
	if v.destroyed {
		return
	}
	var zero T
	v.val, v.isSet, v.destroyed = zero, false, true
	v.refresh()
	g.invalidate(&v.deps)
	g.invalidateSet(v.setDeps)
}

// invalidateSet invalidates the IsSet readers of a value, if it ever had any.
func (g *Graph) invalidateSet(s *source) {
	if s != nil {
		g.invalidate(s)
	}
}
