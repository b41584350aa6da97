package screen

// SearchExhaustive scores every indexed name instead of the candidates the keys propose: the
// peer the benchmark compares against, and the measure of what the keys miss.
func (ix *Index) SearchExhaustive(query string, opt Options) []Match {
	return ix.search(query, opt, true)
}
