// re6st-conf: entry point. The program is not implemented yet; its issue makes it real.
#include <cstdio>

int main()
{
    std::fputs("re6st-conf: not implemented yet\n", stderr);
    return 1;
}
