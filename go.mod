module github.com/sillok/sillok

go 1.26
