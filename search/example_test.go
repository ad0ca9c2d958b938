package search_test

import (
	"fmt"

	"github.com/sillok/sillok/search"
)

func Example() {
	q, err := search.ParseQuery(`수용소 OR "Camp 15" -평양`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.FTS5())
	fmt.Println(q.TSQuery())
	fmt.Println(search.FTS5Terms("요덕 정치범수용소에서"))
	fmt.Println(search.Match(q, "요덕 정치범수용소에서 강제노동을 했다."))
	fmt.Println(search.Match(q, "수용 시설의 소장"))
	// Output:
	// ("수용" + "용소") OR (((("camp" + "15")) NOT ("평양")))
	// (('수용' <-> '용소') | (('camp' <-> '15') & !('평양')))
	// 요덕 덕 정치 치범 범수 수용 용소 소에 에서 서
	// true
	// false
}

func ExampleParseQuery_error() {
	_, err := search.ParseQuery(`김영희 "청진`)
	fmt.Println(err)
	// Output: query: column 5: unterminated quote
}
