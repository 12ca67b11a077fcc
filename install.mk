# install.mk - man pages, `make install` and `make uninstall`.
# Included by the top-level Makefile.
#
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#
# Every variable below can be set on the command line.  uninstall removes
# exactly what install put: both walk the one list INSTALL_LIST.

PREFIX             ?= /usr/local
BINDIR             ?= $(PREFIX)/bin
MANDIR             ?= $(PREFIX)/share/man
PLUGINDIR          ?= $(PREFIX)/lib/nagios/plugins
COLLECTD_PLUGINDIR ?= $(PREFIX)/lib/collectd
DOCDIR             ?= $(PREFIX)/share/doc/upstreams
EXAMPLESDIR        ?= $(DOCDIR)/examples
INSTALL            ?= install
SCDOC              ?= scdoc

# ------------------------------------------------------------- man pages
# One scdoc source per page, man/<name>.<section>.scd.
MAN_SRC   := $(wildcard man/*.scd)
MAN_PAGES := $(MAN_SRC:.scd=)

man: $(MAN_PAGES)

$(MAN_PAGES): man/%: man/%.scd Makefile
	sed 's/@VERSION@/$(VERSION)/' $< | $(SCDOC) >$@.tmp
	mv $@.tmp $@

# The end-to-end suite lints the pages, so they are built with the tests.
tests: man
clean: clean-man
clean-man:
	rm -f $(MAN_PAGES) man/*.tmp

# ------------------------------------------------------------ what goes where
# Entries MODE:SOURCE:DESTINATION (no DESTDIR); paths without blanks or colons.
UPM_COLLECTD_EXAMPLE = $(wildcard collectd-plugin/collectd.conf.example)

INSTALL_LIST = \
	755:$(CHECK):$(PLUGINDIR)/check_upstreams \
	644:$(PLUGIN):$(COLLECTD_PLUGINDIR)/upstreams.so \
	644:man/check_upstreams.1:$(MANDIR)/man1/check_upstreams.1 \
	644:man/collectd-upstreams.5:$(MANDIR)/man5/collectd-upstreams.5 \
	644:nagios-check/upstreams.cfg:$(EXAMPLESDIR)/nagios-upstreams.cfg \
	644:nagios-check/upstreams-service.cfg:$(EXAMPLESDIR)/nagios-upstreams-service.cfg \
	644:examples/graphite/storage-schemas.conf:$(EXAMPLESDIR)/graphite-storage-schemas.conf \
	644:examples/prometheus/upstreams.rules.yml:$(EXAMPLESDIR)/prometheus-upstreams.rules.yml \
	644:nagios-check/upstreams.conf:$(EXAMPLESDIR)/icinga2-upstreams.conf \
	644:nagios-check/icinga2-example.conf:$(EXAMPLESDIR)/icinga2-example.conf \
	$(if $(UPM_COLLECTD_EXAMPLE),644:$(UPM_COLLECTD_EXAMPLE):$(EXAMPLESDIR)/collectd.conf.example)

# check_upstreams is also a tool to run by hand: a link from BINDIR.
INSTALL_LINKS = $(PLUGINDIR)/check_upstreams:$(BINDIR)/check_upstreams

install: all man
	@set -e; for e in $(INSTALL_LIST); do \
		mode=$${e%%:*}; rest=$${e#*:}; src=$${rest%%:*}; dst=$${rest#*:}; \
		echo "install $$src $(DESTDIR)$$dst"; \
		$(INSTALL) -d "$(DESTDIR)$${dst%/*}"; \
		$(INSTALL) -m "$$mode" "$$src" "$(DESTDIR)$$dst"; \
	done; \
	for e in $(INSTALL_LINKS); do \
		target=$${e%%:*}; link=$${e#*:}; \
		echo "link $(DESTDIR)$$link -> $$target"; \
		$(INSTALL) -d "$(DESTDIR)$${link%/*}"; \
		ln -sfn "$$target" "$(DESTDIR)$$link"; \
	done

# Removes the files of the list and the directories only this project owns.
uninstall:
	@for e in $(INSTALL_LIST); do \
		rest=$${e#*:}; dst=$${rest#*:}; \
		echo "rm $(DESTDIR)$$dst"; rm -f "$(DESTDIR)$$dst"; \
	done; \
	for e in $(INSTALL_LINKS); do \
		link=$${e#*:}; \
		echo "rm $(DESTDIR)$$link"; rm -f "$(DESTDIR)$$link"; \
	done; \
	for d in "$(DESTDIR)$(EXAMPLESDIR)" "$(DESTDIR)$(DOCDIR)"; do \
		if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || \
		    echo "uninstall: $$d not empty, left in place"; fi; \
	done; true

.PHONY: man clean-man install uninstall
