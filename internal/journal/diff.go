package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
)

// canonical encodes v as JSON with object keys sorted, so that equal
// arguments give equal bytes whoever encoded them.
func canonical(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	x, err := decode(b)
	if err != nil {
		return nil, err
	}
	return json.Marshal(x)
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	err := dec.Decode(&x)
	return x, err
}

// argsDiff names the first difference between recorded and current
// arguments ("args.Environments[0]: now "Test", was "Development""), or
// returns "" when they are equal.
func argsDiff(then, now json.RawMessage) string {
	a, errA := decode(then)
	b, errB := decode(now)
	if errA != nil || errB != nil {
		if bytes.Equal(then, now) {
			return ""
		}
		return fmt.Sprintf("the arguments: now %s, was %s", short(now), short(then))
	}
	return firstDiff("args", a, b)
}

func firstDiff(path string, then, now any) string {
	switch t := then.(type) {
	case map[string]any:
		n, ok := now.(map[string]any)
		if !ok {
			break
		}
		keys := slices.Sorted(maps.Keys(t))
		for k := range n {
			if _, ok := t[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if d := firstDiff(path+"."+k, t[k], n[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		n, ok := now.([]any)
		if !ok {
			break
		}
		for i := range min(len(t), len(n)) {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), t[i], n[i]); d != "" {
				return d
			}
		}
		if len(t) != len(n) {
			return fmt.Sprintf("%s: now %d items %s, was %d items %s", path, len(n), shortValue(now), len(t), shortValue(then))
		}
		return ""
	}
	if reflect.DeepEqual(then, now) {
		return ""
	}
	return fmt.Sprintf("%s: now %s, was %s", path, shortValue(now), shortValue(then))
}

func shortValue(v any) string {
	b, _ := json.Marshal(v)
	return short(b)
}

func short(b []byte) string {
	const limit = 120
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}
