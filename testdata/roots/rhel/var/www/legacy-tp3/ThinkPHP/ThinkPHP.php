<?php
// +----------------------------------------------------------------------
// | ThinkPHP [ WE CAN DO IT JUST THINK IT ]
// +----------------------------------------------------------------------
// | Licensed ( http://www.apache.org/licenses/LICENSE-2.0 )
// +----------------------------------------------------------------------
// Trimmed stand-in of ThinkPHP 3.2.3's ThinkPHP/ThinkPHP.php.

// 记录开始运行时间
$GLOBALS['_beginTime'] = microtime(TRUE);

// 版本信息
const THINK_VERSION     =   '3.2.3';
