# Reference numbers from R for bench/validate_against_r.sh.
# Usage: Rscript validate.R DIR
# Reads DIR/wilcox_*.csv (column d), DIR/padjust_*.csv (column p) and DIR/matrix_*.csv (cases x
# readers, scores 1..5, complete), writes DIR/r_results.csv: dataset, statistic, value.
suppressPackageStartupMessages({
  library(psych)
  library(vcd)
})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- list()
add <- function(dataset, statistic, value) {
  out[[length(out) + 1]] <<- data.frame(dataset = dataset, statistic = statistic,
                                        value = as.numeric(value))
}

for (path in Sys.glob(file.path(dir, "wilcox_*.csv"))) {
  name <- sub("\\.csv$", "", basename(path))
  d <- read.csv(path)$d
  r <- suppressWarnings(wilcox.test(d))
  add(name, "wilcoxon V", r$statistic)
  add(name, "wilcoxon p", r$p.value)
  if (length(d) > 1 && sd(d) > 0) {
    t <- t.test(d)
    add(name, "t-test p", t$p.value)
    add(name, "t CI low", t$conf.int[1])
    add(name, "t CI high", t$conf.int[2])
  }
}

for (path in Sys.glob(file.path(dir, "padjust_*.csv"))) {
  name <- sub("\\.csv$", "", basename(path))
  p <- read.csv(path)$p
  for (i in seq_along(p)) {
    add(name, sprintf("holm %02d", i), p.adjust(p, "holm")[i])
    add(name, sprintf("BH %02d", i), p.adjust(p, "BH")[i])
  }
}

forms <- c("ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)")
# psych::ICC's default fits lme4::lmer with lme4's default optimiser tolerance, which leaves
# variance components off by ~1e-5 relative. "psych default, tight lme4" runs the very same
# psych code with lmer converged to 1e-12, to check our closed-form REML solution exactly.
loose_lmer <- lme4::lmer
tight_lmer <- function(...) {
  loose_lmer(..., control = lme4::lmerControl(optimizer = "bobyqa",
                                              optCtrl = list(rhoend = 1e-12, maxfun = 1e6)))
}
psych_icc <- function(m, mode) {
  if (mode == "tight") assignInNamespace("lmer", tight_lmer, "lme4")
  on.exit(assignInNamespace("lmer", loose_lmer, "lme4"))
  suppressMessages(suppressWarnings(ICC(m, lmer = mode != "anova")))$results
}
for (path in Sys.glob(file.path(dir, "matrix_*.csv"))) {
  name <- sub("\\.csv$", "", basename(path))
  m <- as.matrix(read.csv(path))
  for (mode in c("tight", "shipped", "anova")) {
    res <- psych_icc(m, mode)
    tag <- c(tight = "psych default, tight lme4", shipped = "psych default, lme4 as shipped",
             anova = "psych lmer=FALSE")[[mode]]
    for (i in 1:6) {
      add(name, paste(tag, forms[i], "value"), res$ICC[i])
      add(name, paste(tag, forms[i], "F"), res$F[i])
      add(name, paste(tag, forms[i], "df1"), res$df1[i])
      add(name, paste(tag, forms[i], "df2"), res$df2[i])
      add(name, paste(tag, forms[i], "p"), res$p[i])
      add(name, paste(tag, forms[i], "lower"), res[["lower bound"]][i])
      add(name, paste(tag, forms[i], "upper"), res[["upper bound"]][i])
    }
  }
  f <- friedman.test(t(m))
  add(name, "kendall W (friedman)", f$statistic / (ncol(m) * (nrow(m) - 1)))
  for (i in 1:(ncol(m) - 1)) {
    for (j in (i + 1):ncol(m)) {
      tab <- table(factor(m[, i], levels = 1:5), factor(m[, j], levels = 1:5))
      lin <- Kappa(tab, weights = "Equal-Spacing")$Weighted["value"]
      quad <- Kappa(tab, weights = "Fleiss-Cohen")$Weighted["value"]
      add(name, sprintf("kappa linear %d-%d", i, j), lin)
      add(name, sprintf("kappa quadratic %d-%d", i, j), quad)
    }
  }
}
write.csv(do.call(rbind, out), file.path(dir, "r_results.csv"), row.names = FALSE)
