extension Int64 {
    /// `self` divided by a positive `divisor`, rounded towards minus infinity, and the
    /// non-negative remainder: `self == quotient * divisor + remainder` with
    /// `0 <= remainder < divisor`. Never traps, for every `self` (`Int64.min` included),
    /// since no intermediate product is formed.
    func flooredDivision(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        precondition(divisor > 0, "the divisor must be positive")
        let quotient = self / divisor
        let remainder = self % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// `self * factor + addend`, saturated at the bounds of `Int64` instead of trapping.
    func saturatingMultiplied(by factor: Int64, adding addend: Int64 = 0) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        if overflow { return (self < 0) == (factor < 0) ? .max : .min }
        let (sum, sumOverflow) = product.addingReportingOverflow(addend)
        if sumOverflow { return addend < 0 ? .min : .max }
        return sum
    }
}
