"""Trustee reporting (issue 6): the monthly Statement to Certificateholders (Section 5.04), the Servicer's
Certificate (Section 4.01) and the annual officer's certificate as to compliance (Section 3.18), from the ledger,
rendered to HTML (jinja2), PDF (WeasyPrint, matplotlib charts) and CSV."""
