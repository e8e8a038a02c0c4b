"""The pure model: parameters and sets, the equations of the MKBA, discounting and views. No I/O, randomness or logging."""
