package mask

import (
	"reflect"
	"strings"
)

// Walk replaces, in place, every string reachable from v (a pointer) with fn(name, s), where
// name is the JSON name of the struct field that holds the string (for a string in a slice,
// the slice's field; for a map value, its key; "" at the top). Unexported fields are left
// alone. hook, when not nil, sees every struct before its fields and returns true when it
// masked the struct itself.
//
// Walk lets the use cases mask the results of engines they do not own (a trace, a graph
// path) at the boundary where results leave procura, whatever fields those results grow.
func Walk(v any, fn func(name, s string) string, hook func(reflect.Value) bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	w := walker{fn: fn, hook: hook, seen: map[uintptr]bool{}, strs: map[reflect.Type]bool{}}
	w.walk(rv, "")
}

type walker struct {
	fn   func(name, s string) string
	hook func(reflect.Value) bool
	seen map[uintptr]bool
	strs map[reflect.Type]bool // whether a type can hold a string, so big []int32 are skipped
}

// holdsStrings reports whether a value of type t can reach a string.
func (w *walker) holdsStrings(t reflect.Type) bool {
	if v, ok := w.strs[t]; ok {
		return v
	}
	w.strs[t] = true // a recursive type is assumed to hold strings
	var v bool
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		v = true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		v = w.holdsStrings(t.Elem())
	case reflect.Map:
		v = w.holdsStrings(t.Key()) || w.holdsStrings(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if v = w.holdsStrings(t.Field(i).Type); v {
				break
			}
		}
	}
	w.strs[t] = v
	return v
}

func (w *walker) walk(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem(), name)
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		w.walk(c, name)
		v.Set(c)
	case reflect.Struct:
		if w.hook != nil && v.CanAddr() && w.hook(v) {
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			n, embedded := jsonName(f)
			if embedded {
				n = name
			}
			w.walk(v.Field(i), n)
		}
	case reflect.Slice, reflect.Array:
		if !w.holdsStrings(v.Type().Elem()) {
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i), name)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			k, val := iter.Key(), iter.Value()
			key := name
			if k.Kind() == reflect.String {
				key = k.String()
			}
			c := reflect.New(val.Type()).Elem()
			c.Set(val)
			w.walk(c, key)
			v.SetMapIndex(k, c)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(w.fn(name, v.String()))
		}
	}
}

// jsonName is the field's JSON name; embedded is true for an embedded struct without a name
// of its own, whose fields encoding/json lifts into the parent.
func jsonName(f reflect.StructField) (name string, embedded bool) {
	tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if tag == "" && f.Anonymous {
		return "", true
	}
	if tag == "" {
		return f.Name, false
	}
	return tag, false
}
