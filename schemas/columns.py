"""Column types shared by the warehouse tables."""

from sqlalchemy import Numeric

# Money in euro with cents; returned as float so pandas and SQL sums need no Decimal round trip.
Money = Numeric(14, 2, asdecimal=False)
# Measured values (context indicators, areas): more decimals than money.
Measure = Numeric(18, 4, asdecimal=False)
