package reports

// sharesView is a distribution: the share of sessions in each category.
type sharesView struct{}
