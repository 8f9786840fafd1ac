package octosim

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	defaultTake = 30         // every list's default page size
	takeAll     = 2147483647 // what Page.All asks for (int32 max, as .NET)
)

// listQuery is the part of a list request every collection understands.
type listQuery struct {
	Skip, Take  int
	IDs         []string
	Name        string
	PartialName string
	raw         url.Values
}

// get reads a query parameter case-insensitively (ASP.NET binds them so).
func (q listQuery) get(name string) string {
	if v, ok := q.raw[name]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range q.raw {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// list reads a multi-valued parameter in every form clients send it:
// repeated (?ids=a&ids=b, go-querystring), comma-joined (?ids=a,b, RFC 6570)
// and comma-joined with the comma encoded (?ids=a%2Cb, go-client).
func (q listQuery) list(name string) []string {
	var out []string
	for k, vs := range q.raw {
		if !strings.EqualFold(k, name) {
			continue
		}
		for _, v := range vs {
			for _, part := range strings.Split(v, ",") {
				if p := strings.TrimSpace(part); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func (q listQuery) flag(name string) bool {
	b, _ := strconv.ParseBool(q.get(name))
	return b
}

func parseListQuery(v url.Values) (listQuery, error) {
	q := listQuery{Take: defaultTake, raw: v}
	var err error
	if s := q.get("skip"); s != "" {
		if q.Skip, err = strconv.Atoi(s); err != nil || q.Skip < 0 {
			return q, badRequest("The value '%s' is not valid for skip.", s)
		}
	}
	if s := q.get("take"); s != "" {
		if q.Take, err = strconv.Atoi(s); err != nil || q.Take < 0 {
			return q, badRequest("The value '%s' is not valid for take.", s)
		}
	}
	q.IDs = q.list("ids")
	q.Name = q.get("name")
	q.PartialName = q.get("partialName")
	return q, nil
}

// matchName applies the name filters. Both are case-insensitive substring
// matches: real servers treat "name" like "partialName" (reference 1.6).
func (q listQuery) matchName(name string) bool {
	ln := strings.ToLower(name)
	if q.Name != "" && !strings.Contains(ln, strings.ToLower(q.Name)) {
		return false
	}
	if q.PartialName != "" && !strings.Contains(ln, strings.ToLower(q.PartialName)) {
		return false
	}
	return true
}

// matchID applies the ids filter.
func (q listQuery) matchID(id string) bool {
	if len(q.IDs) == 0 {
		return true
	}
	for _, want := range q.IDs {
		if strings.EqualFold(want, id) {
			return true
		}
	}
	return false
}

// Page is Octopus's paged collection. Field order follows a real capture.
type Page struct {
	ItemType       string            `json:"ItemType"`
	TotalResults   int               `json:"TotalResults"`
	ItemsPerPage   int               `json:"ItemsPerPage"`
	NumberOfPages  int               `json:"NumberOfPages"`
	LastPageNumber int               `json:"LastPageNumber"`
	Items          any               `json:"Items"`
	Links          map[string]string `json:"Links"`
}

// paginate cuts one page out of items and builds the paging links. path is
// the request path; template the collection's RFC 6570 template. Page.Next
// appears only when another page exists: go-client loops while it is set.
// The other query parameters are carried into every link so that following
// Page.Next keeps the filter.
func paginate[T any](items []T, q listQuery, itemType, path, template string) *Page {
	total := len(items)
	take := q.Take
	start := min(q.Skip, total)
	end := start
	if take > 0 {
		end = min(start+take, total)
	}
	pageItems := items[start:end]
	if pageItems == nil {
		pageItems = []T{}
	}
	pages := 0
	if take > 0 {
		pages = (total + take - 1) / take
	}
	last := max(pages-1, 0)

	extra := url.Values{}
	for k, v := range q.raw {
		switch strings.ToLower(k) {
		case "skip", "take", "apikey":
			continue
		}
		extra[k] = v
	}
	link := func(skip, take int) string {
		qs := "skip=" + strconv.Itoa(skip) + "&take=" + strconv.Itoa(take)
		if len(extra) > 0 {
			qs += "&" + encodeSorted(extra)
		}
		return path + "?" + qs
	}
	links := map[string]string{
		"Self":         link(q.Skip, take),
		"Template":     template,
		"Page.All":     link(0, takeAll),
		"Page.Current": link(q.Skip, take),
		"Page.Last":    link(last*take, take),
	}
	if take > 0 && end < total {
		links["Page.Next"] = link(q.Skip+take, take)
	}
	return &Page{
		ItemType:       itemType,
		TotalResults:   total,
		ItemsPerPage:   take,
		NumberOfPages:  pages,
		LastPageNumber: last,
		Items:          pageItems,
		Links:          links,
	}
}

func encodeSorted(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, val := range v[k] {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(val))
		}
	}
	return strings.Join(parts, "&")
}
