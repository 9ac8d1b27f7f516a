# Reference numbers from R for bench/r/validate_mrmc.py.
#
# Usage: Rscript validate_mrmc.R DIR
#   DIR/manifest.csv lists the datasets (name, margin); DIR/<name>.csv has columns reader, case,
#   arm, score (score NA = missing). DIR/power_cases.csv holds planned designs. Writes
#   DIR/r_results.csv: dataset, quantity, index, value (17 significant digits).
#
# MRMC: MRMCaov's mrmc() with the mean score as a user metric: it evaluates metric(truth,
# rating) on each reader x arm and on every leave-one-case-out subset, so mean(rating) with a
# constant truth gives the mean-score figure of merit and its jackknife covariances. MRMCaov is
# optional (not on Debian): without it those rows are left out and a flag says so.
# ICC: psych::ICC(lmer = FALSE) on the complete cases of each cases x readers matrix.
# Power: Hillis, Obuchowski & Berbaum (2011) Eq. 10 written again here with base R's pf.

suppressMessages(library(psych))
have_mrmcaov <- suppressMessages(requireNamespace("MRMCaov", quietly = TRUE))
if (have_mrmcaov) suppressMessages(library(MRMCaov))

mean_score <- function(truth, rating) mean(rating)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript validate_mrmc.R DIR")
dir <- args[[1]]
manifest <- read.csv(file.path(dir, "manifest.csv"), stringsAsFactors = FALSE)

out <- list()
add <- function(dataset, quantity, value, index = "") {
  out[[length(out) + 1]] <<- data.frame(
    dataset = dataset, quantity = quantity, index = as.character(index),
    value = sprintf("%.17g", as.numeric(value)), stringsAsFactors = FALSE
  )
}
add("_flags", "mrmcaov", as.numeric(have_mrmcaov))

# The complete-case rule, written independently of the Python code: keep a reader's case only
# when both arms are scored, then the cases every remaining reader kept.
complete_cases <- function(d) {
  d <- d[!is.na(d$score), ]
  pairs <- aggregate(score ~ reader + case, data = d, FUN = length)
  pairs <- pairs[pairs$score == 2, c("reader", "case")]
  n_readers <- length(unique(pairs$reader))
  per_case <- table(pairs$case)
  keep_cases <- names(per_case)[per_case == n_readers]
  keep <- paste(d$reader, d$case) %in% paste(pairs$reader, pairs$case) &
    as.character(d$case) %in% keep_cases
  d[keep, ]
}

forms <- c("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
ni_p <- c()

for (i in seq_len(nrow(manifest))) {
  name <- manifest$name[i]
  margin <- manifest$margin[i]
  raw <- read.csv(file.path(dir, paste0(name, ".csv")), stringsAsFactors = FALSE,
                  colClasses = c(reader = "character", case = "character", arm = "character"))
  single <- length(unique(raw$reader)) == 1

  # Classic ICC per arm on the complete cases.
  for (arm in c("conventional", "enhanced")) {
    a <- raw[raw$arm == arm & !is.na(raw$score), ]
    readers <- unique(a$reader)
    if (length(readers) < 2) next
    m <- reshape(a[, c("case", "reader", "score")], idvar = "case", timevar = "reader",
                 direction = "wide")
    m <- na.omit(as.matrix(m[, -1]))
    res <- tryCatch(suppressMessages(suppressWarnings(ICC(m, lmer = FALSE)))$results,
                    error = function(e) NULL)
    if (is.null(res)) next
    for (k in 1:6) {
      index <- paste0(arm, ":", forms[k])
      add(name, "icc.value", res$ICC[k], index)
      add(name, "icc.F", res$F[k], index)
      add(name, "icc.df1", res$df1[k], index)
      add(name, "icc.df2", res$df2[k], index)
      add(name, "icc.p", res$p[k], index)
      add(name, "icc.lower", res[["lower bound"]][k], index)
      add(name, "icc.upper", res[["upper bound"]][k], index)
    }
  }

  # Secondary non-inferiority: per-case mean of the readers' paired differences.
  wide <- reshape(raw[!is.na(raw$score), ], idvar = c("reader", "case"), timevar = "arm",
                  direction = "wide")
  wide <- wide[!is.na(wide$score.enhanced) & !is.na(wide$score.conventional), ]
  wide$d <- wide$score.enhanced - wide$score.conventional
  per_case <- aggregate(d ~ case, data = wide, FUN = mean)$d
  if (length(per_case) > 1 && sd(per_case) > 0) {
    add(name, "ni_case.p", t.test(per_case, mu = -margin, alternative = "greater")$p.value)
  }
  add(name, "ni_case.worse", mean(per_case < 0))

  d <- complete_cases(raw)
  add(name, "n_cases", length(unique(d$case)))
  if (!have_mrmcaov) next
  # Level order makes MRMCaov report "enhanced - conventional".
  d$arm <- factor(d$arm, levels = c("enhanced", "conventional"))
  d$reader <- factor(d$reader, levels = unique(d$reader))
  d$truth <- 1
  if (!single) {
    s <- summary(mrmc(mean_score(truth, score), arm, reader, case, data = d))
    td <- s$test_diffs
    add(name, "random.estimate", td$Estimate)
    add(name, "random.se", td$StdErr)
    add(name, "random.df", td$df)
    add(name, "random.ci_lo", td$CI[1, 1])
    add(name, "random.ci_hi", td$CI[1, 2])
    add(name, "random.p", td$`p-value`)
    vc <- s$vcov_comps
    add(name, "cov.var_r", vc["reader", "Estimate"])
    add(name, "cov.var_tr", vc["arm:reader", "Estimate"])
    # Non-inferiority from the random-readers analysis: the CI against -margin and the
    # one-sided P of H0: difference <= -margin.
    add(name, "ni.ci_lo", td$CI[1, 1])
    add(name, "ni.ci_hi", td$CI[1, 2])
    p <- if (td$StdErr > 0) pt((td$Estimate + margin) / td$StdErr, td$df, lower.tail = FALSE) else NA
    add(name, "ni.p", p)
    add(name, "ni.noninferior", as.numeric(td$CI[1, 1] > -margin))
    ni_p[name] <- p
  } else {
    ni_p[name] <- NA
  }
  s <- summary(mrmc(mean_score(truth, score), arm, fixed(reader), case, data = d))
  td <- s$test_diffs
  add(name, "fixed.estimate", td$Estimate)
  add(name, "fixed.se", td$StdErr)
  add(name, "fixed.ci_lo", td$CI[1, 1])
  add(name, "fixed.ci_hi", td$CI[1, 2])
  add(name, "fixed.p", td$`p-value`)
  vc <- s$vcov_comps
  add(name, "cov.var_error", vc["Error", "Estimate"])
  add(name, "cov.cov1", vc["Cov1", "Estimate"])
  if (!single) {
    add(name, "cov.cov2", vc["Cov2", "Estimate"])
    add(name, "cov.cov3", vc["Cov3", "Estimate"])
    # MRMCaov reports per-reader tests only with two or more readers.
    rd <- s$reader_test_diffs
    rows <- as.character(rd$Reader)
  } else {
    rd <- td
    rows <- levels(d$reader)
  }
  add(name, "reader.estimate", rd$Estimate, rows)
  add(name, "reader.se", rd$StdErr, rows)
  add(name, "reader.ci_lo", rd$CI[, 1], rows)
  add(name, "reader.ci_hi", rd$CI[, 2], rows)
  add(name, "reader.p", rd$`p-value`, rows)
}
if (have_mrmcaov) {
  holm <- p.adjust(ni_p, "holm")
  for (name in names(holm)) add(name, "ni.p_holm", holm[[name]])
}

power_file <- file.path(dir, "power_cases.csv")
if (file.exists(power_file)) {
  pc <- read.csv(power_file)
  for (i in seq_len(nrow(pc))) {
    x <- pc[i, ]
    ratio <- x$pilot_cases / x$cases
    d23 <- max(x$cov2 - x$cov3, 0)
    var_tr <- max(x$ms_tr - x$var_error + x$cov1 + d23, 0)
    den <- var_tr + ratio * (x$var_error - x$cov1 + (x$readers - 1) * d23)
    ems <- var_tr + ratio * (x$var_error - x$cov1 - d23)
    ddf <- den^2 / (ems^2 / (x$readers - 1))
    ncp <- x$readers * x$effect^2 / (2 * den)
    add(x$name, "power.power", pf(qf(1 - x$alpha, 1, ddf), 1, ddf, ncp = ncp, lower.tail = FALSE))
    add(x$name, "power.ncp", ncp)
    add(x$name, "power.df", ddf)
  }
}

write.csv(do.call(rbind, out), file.path(dir, "r_results.csv"), row.names = FALSE)
