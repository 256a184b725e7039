package extract_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/briefcasehq/briefcase/extract"
)

func ExampleExtractor_Extract() {
	page := `<html><head><title>Not shown</title><style>p { margin: 0 }</style></head>
<body><h1>Battle card</h1><p>We win on <b>price</b> &amp; support.</p><script>track()</script></body></html>`
	e := extract.New(extract.Options{})
	pages, err := e.Extract(context.Background(), strings.NewReader(page), int64(len(page)), "text/html", "card.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, p := range pages {
		fmt.Printf("page %d:\n%s\n", i+1, p)
	}
	// Output:
	// page 1:
	// Battle card
	// We win on price & support.
}
