// Generated from jupyter_secrets/rules.py by `python -m jupyter_secrets.rules labextension/src/rules.ts`:
// do not edit (tests/test_ui_rules.py fails while it differs).
import type { IRuleData } from './ruleChecks';

export const RULES: IRuleData = {
  "nameMax": 99,
  "descriptionMax": 500,
  "filenameMax": 200,
  "envMax": 128,
  "filenameChars": "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
  "bidiControls": [
    1564,
    8206,
    8207,
    8234,
    8235,
    8236,
    8237,
    8238,
    8294,
    8295,
    8296,
    8297
  ],
  "invisibleRanges": [
    [
      847,
      847
    ],
    [
      4447,
      4448
    ],
    [
      6068,
      6069
    ],
    [
      6155,
      6159
    ],
    [
      12644,
      12644
    ],
    [
      65024,
      65039
    ],
    [
      65440,
      65440
    ],
    [
      917504,
      921599
    ]
  ],
  "refusedCategories": {
    "Cc": "a control character",
    "Cn": "not assigned in Unicode 14.0.0, so it has no agreed look",
    "Co": "a private-use character, which has no agreed look",
    "Cs": "a lone surrogate, which is not valid Unicode text",
    "Zl": "a line separator",
    "Zp": "a paragraph separator"
  },
  "envFamilies": [
    {
      "reason": "make the dynamic linker or the C library load code into every program",
      "names": [
        "LD"
      ],
      "prefixes": [
        "LD_",
        "DYLD_",
        "GLIBC",
        "GCONV"
      ],
      "suffixes": [],
      "contains": [
        "PRELOAD",
        "MALLOC"
      ],
      "patterns": []
    },
    {
      "reason": "choose which code a language runtime loads and how it runs",
      "names": [],
      "prefixes": [
        "PYTHON",
        "IPYTHON",
        "JAVA_",
        "_JAVA_",
        "JDK_",
        "PERL",
        "RUBY",
        "GEM_",
        "NODE_",
        "NPM_",
        "YARN_",
        "BUN_",
        "DENO_",
        "R_",
        "JULIA_",
        "LUA_",
        "DOTNET_",
        "CORECLR_",
        "COMPLUS_",
        "CGO_",
        "OPENSSL_",
        "ELECTRON_"
      ],
      "suffixes": [],
      "contains": [
        "PYTHON"
      ],
      "patterns": [
        [
          "GO[A-Z0-9]+",
          "one-word names starting with GO (Go's settings)"
        ]
      ]
    },
    {
      "reason": "point Jupyter, its kernels, package managers or their environments somewhere else",
      "names": [],
      "prefixes": [
        "JUPYTER",
        "JPY_",
        "CONDA",
        "MAMBA",
        "VIRTUAL_ENV",
        "PIP_",
        "UV_",
        "GIT_",
        "XDG_"
      ],
      "suffixes": [],
      "contains": [],
      "patterns": []
    },
    {
      "reason": "are search paths: they choose which programs, libraries or modules are found",
      "names": [],
      "prefixes": [],
      "suffixes": [
        "LIB",
        "LIBS"
      ],
      "contains": [
        "PATH",
        "LIBRARY",
        "_LIB_",
        "_LIBS_"
      ],
      "patterns": []
    },
    {
      "reason": "pass options or arguments to a program, which can make it load code",
      "names": [],
      "prefixes": [],
      "suffixes": [
        "OPT",
        "OPTS",
        "OPTION",
        "OPTIONS",
        "FLAGS",
        "ARGS"
      ],
      "contains": [
        "OPTIONS",
        "_OPTS_"
      ],
      "patterns": []
    },
    {
      "reason": "redirect network traffic through another server (the value would leave the machine)",
      "names": [],
      "prefixes": [],
      "suffixes": [],
      "contains": [
        "PROXY"
      ],
      "patterns": []
    },
    {
      "reason": "point programs at another server, socket or package index (the value would be used as a network address)",
      "names": [
        "HOSTALIASES",
        "LOCALDOMAIN"
      ],
      "prefixes": [],
      "suffixes": [
        "HOST",
        "HOSTS",
        "HOSTNAME",
        "ADDR",
        "ADDRESS",
        "SOCK",
        "SOCKET",
        "REGISTRY",
        "MIRROR"
      ],
      "contains": [
        "ENDPOINT",
        "INDEX"
      ],
      "patterns": []
    },
    {
      "reason": "name a file or directory that programs read or write (the value would become a path)",
      "names": [
        "GOOGLE_APPLICATION_CREDENTIALS",
        "TEMP",
        "TMP"
      ],
      "prefixes": [],
      "suffixes": [
        "CONF",
        "CONFIG",
        "FILE",
        "FILES",
        "FILENAME",
        "PROFILE",
        "PROFILER",
        "DIR",
        "DIRS",
        "HOME",
        "ROOT",
        "PREFIX",
        "CACHE",
        "RC",
        "LOG"
      ],
      "contains": [
        "_CONF_",
        "_CONFIG_",
        "CONFIG_",
        "FILE_",
        "_DIR_"
      ],
      "patterns": []
    },
    {
      "reason": "decide which certificates, keys and credential caches are trusted",
      "names": [],
      "prefixes": [
        "SSL",
        "KRB5",
        "GNUPG",
        "GPG_"
      ],
      "suffixes": [
        "CERT",
        "CERTS",
        "CERTIFICATE",
        "CERTIFICATES",
        "_CA"
      ],
      "contains": [
        "SSL",
        "TLS",
        "CA_BUNDLE",
        "_CA_",
        "CAINFO",
        "CAFILE",
        "VERIFY",
        "INSECURE"
      ],
      "patterns": []
    },
    {
      "reason": "make a program run a command or load a module (the value would be run)",
      "names": [
        "AR",
        "AS",
        "CC",
        "CPP",
        "CXX",
        "FC",
        "LESSCLOSE",
        "LESSOPEN",
        "MAKE",
        "VISUAL"
      ],
      "prefixes": [],
      "suffixes": [
        "COMMAND",
        "CMD",
        "PAGER",
        "EDITOR",
        "BROWSER",
        "HOOK",
        "HOOKS",
        "INIT",
        "SSH",
        "RSH",
        "BACKEND",
        "ENGINE",
        "ENGINES",
        "ENV"
      ],
      "contains": [
        "EXEC",
        "SHELL",
        "ASKPASS",
        "STARTUP",
        "MODULE",
        "PLUGIN",
        "_INIT_",
        "_CMD_",
        "_COMMAND_"
      ],
      "patterns": []
    },
    {
      "reason": "decide how shells and standard tools run (user, prompt, locale, time zone, terminal)",
      "names": [
        "COLORTERM",
        "COLUMNS",
        "EUID",
        "GLOBIGNORE",
        "HOME",
        "IFS",
        "LANG",
        "LANGUAGE",
        "LESS",
        "LINES",
        "LOGNAME",
        "MAIL",
        "MORE",
        "OLDPWD",
        "POSIXLY_CORRECT",
        "PROMPT",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "PWD",
        "SHLVL",
        "TERM",
        "TERMCAP",
        "TERMINFO",
        "TZ",
        "UID",
        "USER",
        "USERNAME"
      ],
      "prefixes": [
        "LC_",
        "PROMPT_",
        "BASH_",
        "HIST"
      ],
      "suffixes": [
        "DISPLAY"
      ],
      "contains": [],
      "patterns": []
    }
  ]
};
