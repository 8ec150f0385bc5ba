module example.com/htmlcheck

go 1.20

require golang.org/x/net v0.7.0
