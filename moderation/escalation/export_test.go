package escalation

// DueQuery is the detector's candidate query, for the EXPLAIN test.
const DueQuery = dueQuery
