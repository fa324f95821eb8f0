"""What attendance earns: badges to print, session check-in, certificates of attendance and
of presentation, and continuing medical education (CME, 继续医学教育) credit records."""
