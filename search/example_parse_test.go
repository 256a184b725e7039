package search_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/briefcasehq/briefcase/search"
)

func ExampleParse() {
	q, err := search.Parse(`pricing "case study" -draft`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Root)
	// Output:
	// (and (term "pricing") (phrase "case study") (not (term "draft")))
}

// NOT binds tighter than AND, which binds tighter than OR; parentheses
// group.
func ExampleParse_precedence() {
	for _, s := range []string{
		"roadmap OR pricing deck",
		"NOT draft pricing",
		"(roadmap OR pricing) deck",
		"deck -(old OR draft)",
	} {
		q, _ := search.Parse(s)
		fmt.Printf("%-27s %v\n", s, q.Root)
	}
	// Output:
	// roadmap OR pricing deck     (or (term "roadmap") (and (term "pricing") (term "deck")))
	// NOT draft pricing           (and (not (term "draft")) (term "pricing"))
	// (roadmap OR pricing) deck   (and (or (term "roadmap") (term "pricing")) (term "deck"))
	// deck -(old OR draft)        (and (term "deck") (not (or (term "old") (term "draft"))))
}

// A scope takes one word or a quoted phrase; type: and audience: values
// are checked.
func ExampleParse_scopes() {
	q, _ := search.Parse(`title:"case study" type:pdf audience:external spot:EMEA`)
	fmt.Println(q.Root)
	// Output:
	// (and (phrase title "case study") (term type "pdf") (term audience "external") (term spot "EMEA"))
}

// A query ending in '?' is a question: its content words are ORed.
func ExampleParse_question() {
	q, _ := search.Parse("How do we price the enterprise tier?")
	fmt.Println(q.Question)
	fmt.Println(q.Root)
	// Output:
	// true
	// (or (term "price") (term "enterprise") (term "tier"))
}

// Errors say what is wrong and where, as a byte offset.
func ExampleParse_error() {
	for _, s := range []string{`deck "case study`, "pricing AND", "foo:bar deck"} {
		_, err := search.Parse(s)
		var se *search.SyntaxError
		if errors.As(err, &se) {
			fmt.Println(s)
			fmt.Println(strings.Repeat(" ", se.Pos) + "^ " + se.Msg)
		}
		fmt.Println(errors.Is(err, search.ErrSyntax), err)
	}
	// Output:
	// deck "case study
	//      ^ unclosed quote
	// true search: unclosed quote at position 5
	// pricing AND
	//         ^ missing term after AND
	// true search: missing term after AND at position 8
	// foo:bar deck
	// ^ unknown scope foo
	// true search: unknown scope foo at position 0
}

func ExampleQuery_Format() {
	q, _ := search.Parse(`(deck AND Title:"case study") OR NOT NOT draft`)
	fmt.Println(q.Format())
	// Output:
	// deck title:"case study" OR --draft
}

func ExamplePositiveTerms() {
	q, _ := search.Parse(`"Case Studies" OR decks -draft type:pdf`)
	fmt.Println(search.PositiveTerms(q.Root))
	// Output:
	// [case study deck]
}
