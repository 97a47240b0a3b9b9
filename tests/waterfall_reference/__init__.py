"""Independent tests of the waterfall: a clean-room reference of one loan group's Article V (2002-3 Group 2),
hand-computed tests of the four fixes, and the residual-invariant stress grid."""
