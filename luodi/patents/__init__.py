"""Patents as records: numbers, offices, dates, legal status, owners and inventors, the
achievements and agreements they back, and the annual fees that keep them alive."""
